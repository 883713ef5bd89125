"""The public names of Theano 1.0.5, module by module, and its modules (generated from
Theano 1.0.5 itself: ``dir()`` of each module, the names of objects Theano defines and
of its own submodules).

symgraph/notyet.py uses them to tell a Theano name symgraph does not have yet from a
typo."""

NAMES = {
    'theano': (
        'Apply CLinker Constant Container DualLinker FunctionGraph FunctionMaker Generic In '
        'InconsistencyError Linker LocalLinker Lop Mode Op OpFromGraph OpWiseCLinker OpenMPOp '
        'OrderedUpdates Out Param PerformLinker ProfileStats Rop SymbolicInput SymbolicOutput '
        'Type Variable as_op change_flags clone compat compile config configdefaults '
        'configparser disable_log_handler dot foldl foldr function function_dump generic '
        'get_scalar_constant_value gof grad gradient has_handlers map misc object2 pp pprint '
        'printing reduce scalar scan scan_checkpoints scan_module shared sparse_grad '
        'subgraph_grad tensor test tests updates version '
    ),
    'theano.compile': (
        'AddDestroyHandler AddFeatureOptimizer AliasedMemoryError DebugMode DeepCopyOp '
        'DisconnectedType FAST_COMPILE FAST_RUN FromFunctionOp Function FunctionMaker In Mode '
        'MonitorMode NullType OPT_FAST_COMPILE OPT_FAST_RUN OPT_FAST_RUN_STABLE OPT_MERGE '
        'OPT_NONE OPT_O2 OPT_O3 OPT_STABILIZE OPT_UNSAFE OpFromGraph Out Param '
        'PrintCurrentFunctionGraph ProfileStats Rebroadcast ScanProfileStats Shape Shape_i '
        'SharedVariable SpecifyShape Supervisor SymbolicInput SymbolicOutput UnusedInputError '
        'Variable ViewOp alias_root as_op builders check_equal config convert_function_input '
        'debugmode deep_copy_op fgraph_updated_vars function function_dump function_module '
        'get_default_mode get_info_on_inputs get_mode infer_reuse_pattern '
        'inline_ofg_expansion insert_deepcopy io io_connection_pattern is_same_graph '
        'local_useless mode monitormode ops optdb orig_function pfunc profiling '
        'rebuild_collect_shared register_checker register_deep_copy_op_c_code register_linker '
        'register_mode register_optimizer register_rebroadcast_c_code register_shape_c_code '
        'register_shape_i_c_code register_specify_shape_c_code register_view_op_c_code shape '
        'shared shared_constructor sharedvalue specify_shape std_fgraph view_op view_tree_set '
    ),
    'theano.compile.builders': (
        'DisconnectedType NullType OpFromGraph SharedVariable Variable inline_ofg_expansion '
        'io_connection_pattern optdb orig_function rebuild_collect_shared '
    ),
    'theano.compile.debugmode': (
        'BadDestroyMap BadOptimization BadThunkOutput BadViewMap DataDestroyed DebugMode '
        'DebugModeError Function FunctionMaker InvalidValueError Mode '
        'NoDuplicateOptWarningFilter OutputGuard StochasticOrder change_flags '
        'char_from_number check_eq config data_destroyed debugprint get_unbound_function '
        'infer_reuse_pattern raise_with_op register_mode std_fgraph '
    ),
    'theano.compile.function': (
        'function function_dump orig_function pfunc '
    ),
    'theano.compile.function_module': (
        'AliasedMemoryError Function FunctionMaker In Supervisor SymbolicInput SymbolicOutput '
        'UnusedInputError alias_root check_equal config convert_function_input deep_copy_op '
        'fgraph_updated_vars get_info_on_inputs infer_reuse_pattern insert_deepcopy '
        'is_same_graph orig_function register_checker std_fgraph view_op view_tree_set '
    ),
    'theano.compile.io': (
        'In Out SharedVariable SymbolicInput SymbolicOutput '
    ),
    'theano.compile.mode': (
        'AddDestroyHandler AddFeatureOptimizer FAST_COMPILE FAST_RUN Mode OPT_FAST_COMPILE '
        'OPT_FAST_RUN OPT_FAST_RUN_STABLE OPT_MERGE OPT_NONE OPT_O2 OPT_O3 OPT_STABILIZE '
        'OPT_UNSAFE PrintCurrentFunctionGraph Supervisor config get_default_mode get_mode '
        'local_useless optdb register_linker register_mode register_optimizer '
    ),
    'theano.compile.monitormode': (
        'Mode MonitorMode detect_nan '
    ),
    'theano.compile.nanguardmode': (
        'GpuArrayType Mode NanGuardMode config contains_inf contains_nan f_compute '
        'f_gpua_absmax f_gpua_max f_gpua_min flatten get_mode '
    ),
    'theano.compile.ops': (
        'DeepCopyOp FromFunctionOp OutputGuard Rebroadcast Shape Shape_i SpecifyShape ViewOp '
        'as_op deep_copy_op load_back register_deep_copy_op_c_code '
        'register_rebroadcast_c_code register_shape_c_code register_shape_i_c_code '
        'register_specify_shape_c_code register_view_op_c_code shape shape_i shape_i_op '
        'specify_shape view_op '
    ),
    'theano.compile.pfunc': (
        'Constant In Out Param ProfileStats SharedVariable UnusedInputError Variable config '
        'iter_over_pairs orig_function pfunc rebuild_collect_shared shared '
    ),
    'theano.compile.profiling': (
        'ProfileStats ScanProfileStats config print_global_stats register_profiler_printer '
    ),
    'theano.compile.sharedvalue': (
        'Container SharedVariable Variable generic generic_constructor shared '
        'shared_constructor '
    ),
    'theano.configparser': (
        'AddConfigVar BoolParam ConfigParam EnumStr FloatParam IntParam StrParam '
        'TheanoConfigParser TheanoConfigWarning TypedParam change_flags config '
        'config_files_from_theanorc fetch_val_for_key get_config_hash parse_config_string '
    ),
    'theano.d3viz': (
        'd3viz d3write formatting '
    ),
    'theano.gof': (
        'Apply Bookkeeper CEnumType CLinker COp CachedConstantError '
        'CheckStackTraceOptimization Constant Container DB DestroyHandler DualLinker EnumList '
        'EnumType EquilibriumDB EquilibriumOptimizer Feature FunctionGraph Generic HideC '
        'History InconsistencyError Linker LocalGroupDB LocalLinker LocalOptGroup '
        'LocalOptimizer MergeOptimizer MethodNotDefined MissingInputError NavigatorOptimizer '
        'NoOutputFromInplace NodeFinder Op OpKeyOptimizer OpRemove OpSub OpWiseCLinker '
        'OpenMPOp Optimizer Params ParamsType PatternSub PerformLinker PrintListener ProxyDB '
        'PureOp Query ReplaceValidate ReplacementDidntRemovedError SeqOptimizer SequenceDB '
        'TopoOptimizer Type Validator Variable WrapLinker WrapLinkerMany callcache cc cmodule '
        'compilelock destroyhandler fg generic graph hashtype inplace_optimizer lazylinker_c '
        'link local_optimizer null_type object2 op opt optdb optimizer params_type sched '
        'toolbox type unify utils view_roots vm '
    ),
    'theano.gof.fg': (
        'CachedConstantError FunctionGraph InconsistencyError MissingInputError OrderedSet '
        'config get_variable_trace_string '
    ),
    'theano.gof.graph': (
        'Apply Constant Node OrderedSet Variable ancestors as_string clone clone_get_equiv '
        'config default_node_formatter general_toposort inputs io_connection_pattern '
        'io_toposort is_in_ancestors is_same_graph list_of_nodes nodes_constructed '
        'op_as_string ops orphans stack_search variables variables_and_orphans view_roots '
    ),
    'theano.gof.op': (
        'CLinkerObject CLinkerOp COp FunctionGraph GCC_compiler Op OpenMPOp PureOp apply_meth '
        'config debug_assert debug_error_message get_debug_values get_test_value '
        'missing_test_message simple_meth '
    ),
    'theano.gof.type': (
        'CDataType CDataTypeConstant CEnumType CLinkerObject CLinkerType EnumList EnumType '
        'Generic MethodNotDefined Op PureType SingletonType Type change_flags generic object2 '
    ),
    'theano.gof.utils': (
        'ABORT ANY_TYPE D FAILURE FALL_THROUGH Keyword MetaObject MethodNotDefined RETRY '
        'add_tag_trace comm_guard config deprecated difference flatten from_return_values '
        'get_variable_trace_string give_variables_names hash_from_code hash_from_file '
        'hashtype hist memoize object2 remove scratchpad simple_extract_stack '
        'to_return_values toposort type_guard uniq unique '
    ),
    'theano.gradient': (
        'ConsiderConstant DebugMode DisconnectedGrad DisconnectedInputError DisconnectedType '
        'FAST_RUN GradClip GradScale GradientError Lop NullType NullTypeGradError Rop '
        'UndefinedGrad Variable ViewOp ZeroGrad consider_constant consider_constant_ '
        'disconnected_grad disconnected_grad_ disconnected_type format_as get_debug_values '
        'get_mode grad grad_clip grad_not_implemented grad_scale grad_undefined hessian '
        'jacobian mode_not_slow null_type numeric_grad subgraph_grad undefined_grad '
        'undefined_grad_ verify_grad zero_grad zero_grad_ '
    ),
    'theano.ifelse': (
        'Apply CondMerge IfElse Op TensorType clone cond_make_inplace cond_merge_ifs_false '
        'cond_merge_ifs_true cond_merge_random_op cond_remove_identical ifelse '
        'ifelse_lift_single_if_through_acceptable_ops optdb '
    ),
    'theano.misc': (
        'cpucount frozendict ordered_set safe_asarray windows '
    ),
    'theano.misc.pkl_utils': (
        'CompatUnpickler PersistentGpuArrayID PersistentNdarrayID PersistentNdarrayLoad '
        'PersistentSharedVariableID SharedVariable StripPickler config dump load load_reduce '
        'zipadd '
    ),
    'theano.printing': (
        'Apply DefaultPrinter Function FunctionPrinter IgnorePrinter LeafPrinter Op '
        'OperatorPrinter PPrinter PatternPrinter Print PrinterState SharedVariable config '
        'debugprint default_printer hex_digest leaf_printer min_informative_str '
        'position_independent_str pp pprint pydotprint var_descriptor '
    ),
    'theano.sandbox': (
        'multinomial rng_mrg '
    ),
    'theano.sandbox.rng_mrg': (
        'Apply DotModulo MRG_RandomStreams Op ParamsType TensorType Variable '
        'as_tensor_variable bool_t cast config ff_2p134 ff_2p72 function get_vector_length '
        'guess_n_streams int_t local_optimizer matVecModM mrg_next_value '
        'mrg_random_make_inplace mrg_uniform mrg_uniform_base multMatVect optdb shared '
        'undefined_grad '
    ),
    'theano.scalar': (
        'AND Abs Add Angle Apply ArcCos ArcCosh ArcSin ArcSinh ArcTan ArcTan2 ArcTanh '
        'BinaryBitOp BinaryScalarOp Cast Ceil Chi2SF Clip Complex ComplexError '
        'ComplexFromPolar Composite Compositef32 Conj Constant Cos Cosh Deg2Rad '
        'DisconnectedType EQ Erf Erfc Erfcinv Erfcx Erfinv Exp Exp2 Expm1 '
        'FixedLogicalComparison Floor FunctionGraph GE GT Gamma GammaInc GammaIncC GammaL '
        'GammaLn GammaU I0 I1 Identity Imag InRange IntDiv IntegerDivisionError Inv Invert '
        'IsInf IsNan Iv J0 J1 Jv LE LT Log Log10 Log1p Log2 LogicalComparison Maximum Minimum '
        'Mod Mul NEQ Neg NumpyAutocaster OR Op Pow Psi Rad2Deg Real RoundHalfAwayFromZero '
        'RoundHalfToEven Scalar ScalarConstant ScalarOp ScalarVariable Second Sgn Sin Sinh '
        'Sqr Sqrt Sub Switch Tan Tanh TriGamma TrueDiv Trunc Type UnaryBitOp UnaryScalarOp '
        'Variable XOR abs_ add and_ angle arccos arccosh arcsin arcsinh arctan arctan2 '
        'arctanh as_common_dtype as_scalar autocast_float autocast_float_as autocast_int '
        'basic basic_scipy bool cast ceil chi2sf clip complex complex128 complex64 '
        'complex_from_polar composite_f32 config conj constant convert convert_to_bool '
        'convert_to_complex128 convert_to_complex64 convert_to_float16 convert_to_float32 '
        'convert_to_float64 convert_to_int16 convert_to_int32 convert_to_int64 '
        'convert_to_int8 convert_to_uint16 convert_to_uint32 convert_to_uint64 '
        'convert_to_uint8 cos cosh deg2rad div_proxy eq erf erfc erfcinv erfcx erfinv exp '
        'exp2 expm1 float16 float32 float64 float_out float_out_nocomplex floor floor_div '
        'gamma gammainc gammaincc gammal gammaln gammau ge get_scalar_type '
        'grad_not_implemented grad_undefined gt handle_cast handle_composite i0 i1 identity '
        'imag inclosedrange inopenrange int16 int32 int64 int8 int_div int_or_true_div '
        'int_out int_out_nocomplex inv invert isinf isnan iv j0 j1 jv le log log10 log1p log2 '
        'lt maximum minimum mod mod_check mul neg neq or_ pow pprint psi rad2deg real '
        'real_out round_half_away_from_zero round_half_away_from_zero_ '
        'round_half_away_from_zero_vec round_half_to_even same_out same_out_float_only '
        'same_out_min8 same_out_nobool same_out_nocomplex second sgn sharedvar sin sinh '
        'specific_out sqr sqrt sub switch tan tanh transfer_type tri_gamma true_div trunc '
        'uint16 uint32 uint64 uint8 unary_out_lookup upcast upcast_out upcast_out_min8 '
        'upcast_out_no_complex upcast_out_nobool upgrade_to_float upgrade_to_float64 '
        'upgrade_to_float_no_complex xor '
    ),
    'theano.scalar.basic': (
        'AND Abs Add Angle Apply ArcCos ArcCosh ArcSin ArcSinh ArcTan ArcTan2 ArcTanh '
        'BinaryBitOp BinaryScalarOp Cast Ceil Clip Complex ComplexError ComplexFromPolar '
        'Composite Compositef32 Conj Constant Cos Cosh Deg2Rad DisconnectedType EQ Exp Exp2 '
        'Expm1 FixedLogicalComparison Floor FunctionGraph GE GT Identity Imag InRange IntDiv '
        'IntegerDivisionError Inv Invert IsInf IsNan LE LT Log Log10 Log1p Log2 '
        'LogicalComparison Maximum Minimum Mod Mul NEQ Neg NumpyAutocaster OR Op Pow Rad2Deg '
        'Real RoundHalfAwayFromZero RoundHalfToEven Scalar ScalarConstant ScalarOp '
        'ScalarVariable Second Sgn Sin Sinh Sqr Sqrt Sub Switch Tan Tanh TrueDiv Trunc Type '
        'UnaryBitOp UnaryScalarOp Variable XOR abs_ add and_ angle arccos arccosh arcsin '
        'arcsinh arctan arctan2 arctanh as_common_dtype as_scalar autocast_float '
        'autocast_float_as autocast_int bool cast ceil clip complex complex128 complex64 '
        'complex_from_polar composite_f32 config conj constant convert convert_to_bool '
        'convert_to_complex128 convert_to_complex64 convert_to_float16 convert_to_float32 '
        'convert_to_float64 convert_to_int16 convert_to_int32 convert_to_int64 '
        'convert_to_int8 convert_to_uint16 convert_to_uint32 convert_to_uint64 '
        'convert_to_uint8 cos cosh deg2rad div_proxy eq exp exp2 expm1 float16 float32 '
        'float64 float_out float_out_nocomplex floor floor_div ge get_scalar_type '
        'grad_undefined gt handle_cast handle_composite identity imag inclosedrange '
        'inopenrange int16 int32 int64 int8 int_div int_or_true_div int_out int_out_nocomplex '
        'inv invert isinf isnan le log log10 log1p log2 lt maximum minimum mod mod_check mul '
        'neg neq or_ pow pprint rad2deg real real_out round_half_away_from_zero '
        'round_half_away_from_zero_ round_half_away_from_zero_vec round_half_to_even same_out '
        'same_out_float_only same_out_min8 same_out_nobool same_out_nocomplex second sgn sin '
        'sinh specific_out sqr sqrt sub switch tan tanh transfer_type true_div trunc uint16 '
        'uint32 uint64 uint8 unary_out_lookup upcast upcast_out upcast_out_min8 '
        'upcast_out_no_complex upcast_out_nobool upgrade_to_float upgrade_to_float64 '
        'upgrade_to_float_no_complex xor '
    ),
    'theano.scan_module': (
        'clone foldl foldr map reduce scan scan_checkpoints scan_op scan_opt scan_utils '
        'scan_views until '
    ),
    'theano.sparse': (
        'AddSD AddSS AddSSData CSC CSM CSMGrad CSMProperties CSR Cast ColScaleCSC '
        'ConstructSparseFromList DenseFromSparse Diag DisconnectedType Dot '
        'EnsureSortedIndices EqualSD EqualSS GetItem2Lists GetItem2ListsGrad GetItem2d '
        'GetItemList GetItemListGrad GetItemScalar GreaterEqualSD GreaterEqualSS '
        'GreaterThanSD GreaterThanSS HStack LessEqualSD LessEqualSS LessThanSD LessThanSS '
        'MulSD MulSS MulSV Neg NotEqualSD NotEqualSS Remove0 RowScaleCSC SamplingDot SpSum '
        'SparseConstant SparseConstantSignature SparseFromDense SparseType SparseVariable '
        'SquareDiagonal StructuredAddSV StructuredDot StructuredDotGradCSC '
        'StructuredDotGradCSR Transpose TrueDot Usmm VStack add add_s_d add_s_s add_s_s_data '
        'arcsin arcsinh arctan arctanh as_sparse as_sparse_or_tensor_variable '
        'as_sparse_variable basic bcast bsr_dmatrix bsr_fmatrix bsr_matrix cast ccast ceil '
        'clean col_scale config conj constant construct_sparse_from_list csc_dmatrix '
        'csc_fmatrix csc_from_dense csc_matrix csm_data csm_grad csm_indices csm_indptr '
        'csm_properties csm_shape csr_dmatrix csr_fmatrix csr_from_dense csr_matrix dcast '
        'deg2rad dense_from_sparse diag dot ensure_sorted_indices eq equal_s_d equal_s_s '
        'expm1 fcast floor ge get_item_2d get_item_2lists get_item_2lists_grad get_item_list '
        'get_item_list_grad get_item_scalar grad_not_implemented grad_undefined '
        'greater_equal_s_d greater_equal_s_s greater_than_s_d greater_than_s_s gt '
        'hash_from_sparse hstack icast lcast le less_equal_s_d less_equal_s_s less_than_s_d '
        'less_than_s_s log1p lt matrix mul mul_s_d mul_s_s mul_s_v neg neq not_equal_s_d '
        'not_equal_s_s opt rad2deg remove0 rint row_scale sampling_dot sdg_csc sdg_csr sgn '
        'shared sharedvar sin sinh sp_ones_like sp_sum sp_zeros_like sqr sqrt square_diagonal '
        'structured_add structured_add_s_v structured_dot structured_dot_grad structured_exp '
        'structured_log structured_maximum structured_minimum structured_monoid '
        'structured_pow structured_sigmoid sub tan tanh transpose true_dot trunc type usmm '
        'utils vstack wcast zcast '
    ),
    'theano.tensor': (
        'ARange AdvancedBooleanIncSubtensor AdvancedBooleanIndexingError '
        'AdvancedBooleanSubtensor AdvancedIncSubtensor AdvancedIncSubtensor1 '
        'AdvancedIndexingError AdvancedSubtensor AdvancedSubtensor1 Alloc AllocDiag '
        'AllocEmpty Apply Argmax AsTensorError BaseAdvancedIncSubtensor BaseAdvancedSubtensor '
        'CAReduce Choose Constant Default DiffOp DimShuffle DisconnectedType Dot Elemwise '
        'EmptyConstantError ExtractDiag Eye Flatten Generic IncSubtensor Join LoadFromDisk '
        'Lop MPIRecv MPIRecvWait MPISend MPISendWait MakeSlice MaxAndArgmax Mean '
        'MethodNotDefined NoneConst NoneTypeT Nonzero NotScalarConstantError Op ParamsType '
        'PermuteRowElements Rebroadcast Reshape Rop ScalarFromTensor Shape ShapeError '
        'SliceConstant SliceType SpecifyShape Split Subtensor SubtensorPrinter Sum Tensor '
        'TensorConstant TensorConstantSignature TensorFromScalar TensorType TensorVariable '
        'Tile Tri Type Variable abs_ add addbroadcast adv_index_broadcastable_pattern '
        'advanced_boolean_inc_subtensor advanced_boolean_set_subtensor '
        'advanced_boolean_subtensor advanced_inc_subtensor advanced_inc_subtensor1 '
        'advanced_set_subtensor advanced_set_subtensor1 advanced_subtensor '
        'advanced_subtensor1 all allclose alloc alloc_validate_shape and_ angle any arange '
        'arccos arccosh arcsin arcsinh arctan arctan2 arctanh argmax argmin argsort argtopk '
        'as_index_variable as_int_none_variable as_tensor as_tensor_variable bartlett basic '
        'batched_dot batched_tensordot bcol bincount bitwise_and bitwise_not bitwise_or '
        'bitwise_xor blas blas_c blas_headers blas_scipy bmatrix brow bscalar btensor3 '
        'btensor4 btensor5 btensor6 btensor7 bvector cast ccol ceil ceil_intdiv '
        'check_advanced_indexing_dimensions check_and_normalize_axes check_and_reject_bool '
        'check_equal_numpy chi2sf choose clip cmatrix col complex complex_from_polar '
        'concatenate config conj consider_constant constant constructor cos cosh cov crow '
        'cscalar ctensor3 ctensor4 ctensor5 ctensor6 ctensor7 cumprod cumsum cvector dcol '
        'default deg2rad diag diagonal div_proxy divmod dmatrix dot drow dscalar dtensor3 '
        'dtensor4 dtensor5 dtensor6 dtensor7 dvector elemwise elemwise_cgen eq erf erfc '
        'erfcinv erfcx erfinv exp exp2 expm1 extra_ops extract_constant eye fcol fill '
        'fill_diagonal fill_diagonal_offset flatnonzero flatten floor floor_div fmatrix frow '
        'fscalar ftensor3 ftensor4 ftensor5 ftensor6 ftensor7 fvector gamma gammainc '
        'gammaincc gammal gammaln gammau ge get_canonical_form_slice get_idx_list '
        'get_scalar_constant_value get_vector_length grad grad_not_implemented grad_undefined '
        'gt hashtype hessian horizontal_stack i0 i1 icol identity_like imag imatrix inc_code '
        'inc_subtensor int32 int32_t int_div inv inverse_permutation invert io irecv iround '
        'irow is_flat iscalar isclose isend isinf isinf_ isnan isnan_ itensor3 itensor4 '
        'itensor5 itensor6 itensor7 iv ivector j0 j1 jacobian join join_ jv key_to_cmp '
        'largest lcol le lmatrix load log log10 log1p log2 lrow lscalar lt ltensor3 ltensor4 '
        'ltensor5 ltensor6 ltensor7 lvector makeKeepDims make_constant make_slice matrix max '
        'max_and_argmax maximum mean mgrid min min_informative_str minimum mod mod_check '
        'mpi_send_wait_cmp mpi_send_wait_key mpi_tag_cmp mpi_tag_key mul neg neq nlinalg nnet '
        'none_type_t nonzero nonzero_values numeric_grad numpy_scalar ogrid ones ones_like '
        'opt opt_uncanonicalize or_ outer patternbroadcast permute_row_elements pow power '
        'pprint prod psi ptp rad2deg ravel_multi_index raw_random real recv register_transfer '
        'repeat reshape roll round round_half_away_from_zero round_half_to_even row scalar '
        'scalar_from_tensor second send set_subtensor setdefault sgn shape shape_padaxis '
        'shape_padleft shape_padright shared_randomstreams sharedvar sin sinh slicetype '
        'smallest sort specify_shape split sqr sqrt square squeeze stack stacklists std sub '
        'subtensor sum swapaxes switch take tan tanh tensor tensor3 tensor4 tensor5 tensor6 '
        'tensor7 tensor_copy tensor_from_scalar tensordot tile topk topk_and_argtopk transfer '
        'transpose tri tri_gamma tril triu true_div trunc type type_other unbroadcast '
        'unravel_index utils values_eq_approx_always_true var vector verify_grad '
        'vertical_stack wcol where wmatrix wrow wscalar wtensor3 wtensor4 wtensor5 wtensor6 '
        'wtensor7 wvector xlogx xor zcol zeros zeros_like zmatrix zrow zscalar ztensor3 '
        'ztensor4 ztensor5 ztensor6 ztensor7 zvector '
    ),
    'theano.tensor.basic': (
        'ARange Alloc AllocDiag AllocEmpty Apply Argmax AsTensorError CAReduce Choose '
        'Constant Default DimShuffle DisconnectedType Dot Elemwise EmptyConstantError '
        'ExtractDiag Eye Flatten Generic Join MaxAndArgmax Mean NoneConst Nonzero '
        'NotScalarConstantError Op ParamsType PermuteRowElements Rebroadcast Reshape '
        'ScalarFromTensor Shape ShapeError Split Sum Tensor TensorConstant '
        'TensorConstantSignature TensorFromScalar TensorType TensorVariable Tile Tri Variable '
        'abs_ add addbroadcast all allclose alloc alloc_validate_shape and_ angle any arange '
        'arccos arccosh arcsin arcsinh arctan arctan2 arctanh argmax argmin as_tensor '
        'as_tensor_variable batched_dot batched_tensordot bcol bitwise_and bitwise_not '
        'bitwise_or bitwise_xor bmatrix brow bscalar btensor3 btensor4 btensor5 btensor6 '
        'btensor7 bvector cast ccol ceil ceil_intdiv check_and_normalize_axes '
        'check_equal_numpy chi2sf choose clip cmatrix col complex complex_from_polar '
        'concatenate config conj constant constructor cos cosh cov crow cscalar ctensor3 '
        'ctensor4 ctensor5 ctensor6 ctensor7 cvector dcol default deg2rad diag diagonal '
        'div_proxy divmod dmatrix dot drow dscalar dtensor3 dtensor4 dtensor5 dtensor6 '
        'dtensor7 dvector eq erf erfc erfcinv erfcx erfinv exp exp2 expm1 extract_constant '
        'eye fcol fill flatnonzero flatten floor floor_div fmatrix frow fscalar ftensor3 '
        'ftensor4 ftensor5 ftensor6 ftensor7 fvector gamma gammainc gammaincc gammal gammaln '
        'gammau ge get_scalar_constant_value get_vector_length grad_not_implemented '
        'grad_undefined gt horizontal_stack i0 i1 icol identity_like imag imatrix int32 '
        'int32_t int_div inv inverse_permutation invert iround irow is_flat iscalar isclose '
        'isinf isinf_ isnan isnan_ itensor3 itensor4 itensor5 itensor6 itensor7 iv ivector j0 '
        'j1 join join_ jv largest lcol le lmatrix log log10 log1p log2 lrow lscalar lt '
        'ltensor3 ltensor4 ltensor5 ltensor6 ltensor7 lvector makeKeepDims matrix max '
        'max_and_argmax maximum mean mgrid min min_informative_str minimum mod mod_check mul '
        'neg neq nonzero nonzero_values numpy_scalar ogrid ones ones_like or_ outer '
        'patternbroadcast permute_row_elements pow power pprint prod psi ptp rad2deg real '
        'register_transfer reshape roll round round_half_away_from_zero round_half_to_even '
        'row scalar scalar_from_tensor second setdefault sgn shape shape_padaxis '
        'shape_padleft shape_padright sin sinh smallest split sqr sqrt square stack '
        'stacklists std sub sum swapaxes switch tan tanh tensor tensor3 tensor4 tensor5 '
        'tensor6 tensor7 tensor_copy tensor_from_scalar tensordot tile transfer transpose tri '
        'tri_gamma tril triu true_div trunc unbroadcast values_eq_approx_always_true var '
        'vector vertical_stack wcol where wmatrix wrow wscalar wtensor3 wtensor4 wtensor5 '
        'wtensor6 wtensor7 wvector xor zcol zeros zeros_like zmatrix zrow zscalar ztensor3 '
        'ztensor4 ztensor5 ztensor6 ztensor7 zvector '
    ),
    'theano.tensor.blas': (
        'Apply BatchedDot Dot22 Dot22Scalar EquilibriumOptimizer FunctionPrinter Gemm '
        'GemmOptimizer GemmRelated Gemv Ger InconsistencyError Op Optimizer ParamsType '
        'ReplacementDidntRemovedError SequenceDB batched_dot blas_header_text '
        'blas_header_version blas_opt_inplace blas_optdb bool_t check_init_y config '
        'debugprint gemm gemm_inplace gemm_no_inplace gemv gemv_inplace gemv_no_inplace ger '
        'ger_destructive in2out inherit_stack_trace ldflags local_dimshuffle_lift '
        'local_dot22_to_dot22scalar local_dot22_to_ger_or_gemv local_dot_to_dot22 '
        'local_gemm_to_gemv local_gemm_to_ger local_inplace_gemm local_inplace_gemv '
        'local_inplace_ger local_optimizer local_print_as_we_go_along optdb pprint res_is_a '
        'values_eq_approx_remove_inf_nan view_roots '
    ),
    'theano.tensor.elemwise': (
        'All Any Apply CAReduce CAReduceDtype COp DimShuffle DimShufflePrinter '
        'DisconnectedType Elemwise MulWithoutZeros NullType Op OpenMPOp ParamsType Prod '
        'ProdWithoutZeros Sum TensorConstant TensorType TensorVariable as_tensor_variable '
        'change_flags config frozendict get_scalar_type mul_without_zeros pprint '
    ),
    'theano.tensor.extra_ops': (
        'Bartlett CpuContiguous CumOp CumprodOp CumsumOp DiffOp DisconnectedType EnumList '
        'FillDiagonal FillDiagonalOffset Generic ParamsType RavelMultiIndex RepeatOp '
        'SearchsortedOp Unique UnravelIndex bartlett bartlett_ bincount compress '
        'cpu_contiguous cumprod cumsum diff disconnected_type fill_diagonal fill_diagonal_ '
        'fill_diagonal_offset fill_diagonal_offset_ int_t ravel_multi_index repeat '
        'searchsorted squeeze to_one_hot unravel_index '
    ),
    'theano.tensor.fft': (
        'DisconnectedType IRFFTOp RFFTOp irfft irfft_op rfft rfft_op '
    ),
    'theano.tensor.io': (
        'Constant Generic LoadFromDisk MPIRecv MPIRecvWait MPISend MPISendWait Op irecv isend '
        'key_to_cmp load mpi_send_wait_cmp mpi_send_wait_key mpi_tag_cmp mpi_tag_key recv '
        'send tensor '
    ),
    'theano.tensor.nlinalg': (
        'AllocDiag Apply Det DisconnectedType Eig Eigh EighGrad ExtractDiag MatrixInverse '
        'MatrixPinv Op QRFull QRIncomplete SVD TensorInv TensorSolve alloc_diag '
        'as_tensor_variable det diag eig eigh extract_diag lstsq matrix_dot matrix_inverse '
        'matrix_power norm pinv qr svd tensorinv tensorsolve trace '
    ),
    'theano.tensor.nnet': (
        'ConvOp CrossentropyCategorical1Hot CrossentropyCategorical1HotGrad '
        'CrossentropySoftmax1HotWithBiasDx CrossentropySoftmaxArgmax1HotWithBias LogSoftmax '
        'Prepend_scalar_constant_to_each_row Prepend_scalar_to_each_row Softmax SoftmaxGrad '
        'SoftmaxWithBias abstract_conv abstract_conv2d batch_normalization '
        'binary_crossentropy blocksparse bn categorical_crossentropy confusion_matrix conv '
        'conv2d conv2d_grad_wrt_inputs conv2d_transpose conv3d corr corr3d '
        'crossentropy_categorical_1hot crossentropy_categorical_1hot_grad '
        'crossentropy_softmax_1hot crossentropy_softmax_1hot_with_bias '
        'crossentropy_softmax_1hot_with_bias_dx crossentropy_softmax_argmax_1hot_with_bias '
        'crossentropy_softmax_max_and_argmax_1hot '
        'crossentropy_softmax_max_and_argmax_1hot_with_bias '
        'crossentropy_to_crossentropy_with_softmax '
        'crossentropy_to_crossentropy_with_softmax_with_bias elu '
        'graph_merge_softmax_with_crossentropy_softmax h_softmax hard_sigmoid logsoftmax '
        'logsoftmax_op nnet opt prepend_0_to_each_row prepend_1_to_each_row '
        'prepend_scalar_to_each_row relu scalar_sigmoid selu separable_conv2d sigm sigmoid '
        'sigmoid_binary_crossentropy sigmoid_inplace softmax softmax_grad softmax_graph '
        'softmax_op softmax_simplifier softmax_with_bias softplus softsign ultra_fast_sigmoid '
    ),
    'theano.tensor.nnet.abstract_conv': (
        'AbstractConv AbstractConv2d AbstractConv2d_gradInputs AbstractConv2d_gradWeights '
        'AbstractConv3d AbstractConv3d_gradInputs AbstractConv3d_gradWeights '
        'AbstractConv_gradInputs AbstractConv_gradWeights Apply Assert BaseAbstractConv '
        'NotScalarConstantError Op as_tensor_variable assert_conv_shape assert_shape '
        'bilinear_kernel_1D bilinear_kernel_2D bilinear_upsampling border_mode_to_pad '
        'causal_conv1d check_conv_gradinputs_shape conv2d conv2d_grad_wrt_inputs '
        'conv2d_grad_wrt_weights conv3d conv3d_grad_wrt_inputs conv3d_grad_wrt_weights '
        'frac_bilinear_upsampling get_conv_gradinputs_shape get_conv_gradinputs_shape_1axis '
        'get_conv_gradweights_shape get_conv_gradweights_shape_1axis get_conv_output_shape '
        'get_conv_shape_1axis get_scalar_constant_value patternbroadcast separable_conv2d '
        'separable_conv3d '
    ),
    'theano.tensor.nnet.bn': (
        'AbstractBatchNormInference AbstractBatchNormTrain AbstractBatchNormTrainGrad Apply '
        'BNComposite Composite Op TensorType add as_common_dtype as_tensor_variable '
        'batch_normalization batch_normalization_test batch_normalization_train bn_groupopt '
        'copy_stack_trace local_abstract_batch_norm_inference local_abstract_batch_norm_train '
        'local_abstract_batch_norm_train_grad local_optimizer mul register_specialize_device '
        'sub true_div '
    ),
    'theano.tensor.nnet.conv': (
        'Apply ConvOp NotScalarConstantError OpenMPOp as_tensor_variable conv2d '
        'gen_conv_code_unroll_batch_kern get_conv_output_shape get_conv_shape_1axis '
        'get_scalar_constant_value patternbroadcast '
    ),
    'theano.tensor.nnet.neighbours': (
        'Apply EnumList Images2Neibs Op grad_not_implemented grad_undefined images2neibs '
        'neibs2images '
    ),
    'theano.tensor.nnet.nnet': (
        'Apply CrossentropyCategorical1Hot CrossentropyCategorical1HotGrad '
        'CrossentropySoftmax1HotWithBiasDx CrossentropySoftmaxArgmax1HotWithBias '
        'DisconnectedType LogSoftmax Prepend_scalar_constant_to_each_row '
        'Prepend_scalar_to_each_row ScalarSoftsign Softmax SoftmaxGrad SoftmaxWithBias '
        'as_tensor_variable binary_crossentropy categorical_crossentropy confusion_matrix '
        'copy_stack_trace crossentropy_categorical_1hot crossentropy_categorical_1hot_grad '
        'crossentropy_softmax_1hot crossentropy_softmax_1hot_with_bias '
        'crossentropy_softmax_1hot_with_bias_dx crossentropy_softmax_argmax_1hot_with_bias '
        'crossentropy_softmax_max_and_argmax_1hot '
        'crossentropy_softmax_max_and_argmax_1hot_with_bias '
        'crossentropy_to_crossentropy_with_softmax '
        'crossentropy_to_crossentropy_with_softmax_with_bias elu grad_not_implemented '
        'graph_merge_softmax_with_crossentropy_softmax h_softmax '
        'local_advanced_indexing_crossentropy_onehot '
        'local_advanced_indexing_crossentropy_onehot_grad local_argmax_pushdown '
        'local_logsoftmax local_logsoftmax_grad '
        'local_softmax_grad_to_crossentropy_with_softmax_grad local_softmax_with_bias '
        'local_useless_crossentropy_softmax_1hot_with_bias_dx_alloc logsoftmax logsoftmax_op '
        'optdb prepend_0_to_each_row prepend_1_to_each_row prepend_scalar_to_each_row relu '
        'scalar_softsign selu sigmoid sigmoid_binary_crossentropy softmax softmax_grad '
        'softmax_graph softmax_op softmax_simplifier softmax_with_bias softplus softsign '
        'sparse_block_dot values_eq_approx_remove_inf values_eq_approx_remove_nan '
    ),
    'theano.tensor.nnet.sigm': (
        'NotScalarConstantError ScalarSigmoid ScalarSoftplus UltraFastScalarSigmoid '
        'compute_mul config copy_stack_trace hard_sigmoid is_1pexp is_exp is_mul is_neg '
        'local_1msigmoid local_exp_over_1_plus_exp local_hard_sigmoid local_inv_1_plus_exp '
        'local_sigm_times_exp local_ultra_fast_sigmoid log1msigm_to_softplus '
        'log1p_neg_sigmoid log1pexp_to_softplus logsigm_to_softplus parse_mul_tree '
        'partition_num_or_denom perform_sigm_times_exp pprint replace_leaf scalar_sigmoid '
        'scalar_softplus sigmoid sigmoid_inplace simplify_mul softplus '
        'ultra_fast_scalar_sigmoid ultra_fast_sigmoid ultra_fast_sigmoid_inplace '
        'values_eq_approx_remove_inf '
    ),
    'theano.tensor.opt': (
        'AdvancedIncSubtensor AdvancedIncSubtensor1 AdvancedSubtensor1 Alloc Assert Canonizer '
        'Constant DimShuffle DisconnectedType Elemwise FusionOptimizer IncSubtensor '
        'InconsistencyError InplaceElemwiseOptimizer MakeVector MakeVectorPrinter '
        'MethodNotDefined NotScalarConstantError Optimizer Reshape Shape ShapeError '
        'ShapeFeature ShapeOptimizer Shape_i Subtensor TopKOp TopoOptimizer UnShapeOptimizer '
        'Variable add_calculate add_canonizer advanced_inc_subtensor1 advanced_subtensor '
        'advanced_subtensor1 apply_local_dimshuffle_lift apply_rebroadcast_opt assert_ '
        'assert_op attempt_distribution broadcast_like check_for_x_over_absX config '
        'constant_folding copy_stack_trace distribute_greedy elemwise_max_input_fct '
        'encompasses_broadcastable extract_constant fuse_seqopt get_canonical_form_slice '
        'get_clients get_clients2 get_idx_list get_scalar_constant_value in2out '
        'inplace_elemwise_optimizer is_an_upcast is_dimshuffle_useless is_inverse_pair '
        'local_0_dot_x local_IncSubtensor_serialize local_abs_lift local_abs_merge '
        'local_add_canonizer local_add_mul_fusion local_add_specialize '
        'local_adv_sub1_adv_inc_sub1 local_alloc_empty_to_zeros local_alloc_unary '
        'local_canonicalize_alloc local_cast_cast local_dimshuffle_lift local_div_switch_sink '
        'local_div_to_inv local_elemwise_alloc local_elemwise_alloc_op local_elemwise_fusion '
        'local_elemwise_fusion_op local_elemwise_sub_zeros local_erf_minus_one '
        'local_erf_neg_minus_one local_erf_neg_minus_one2 local_expm1 local_fill_sink '
        'local_fill_to_alloc local_flatten_lift local_func_inv local_grad_log_erfc_neg '
        'local_greedy_distributor local_incsubtensor_of_zeros '
        'local_incsubtensor_of_zeros_to_setsubtensor local_inplace_incsubtensor1 '
        'local_inplace_setsubtensor local_intdiv_by_one local_inv_canon local_join_1 '
        'local_join_empty local_join_make_vector local_lift_transpose_through_dot local_log1p '
        'local_log_add local_log_erfc local_log_sum_exp local_merge_alloc '
        'local_merge_switch_same_cond local_mul_canonizer local_mul_specialize '
        'local_mul_switch_sink local_mul_to_sqr local_mul_zero local_neg_div_neg '
        'local_neg_neg local_neg_to_mul local_one_add_neg_erfc local_one_minus_erf '
        'local_one_minus_erf2 local_one_minus_erfc local_one_minus_erfc2 '
        'local_one_minus_erfc3 local_one_plus_erf local_one_plus_neg_erf local_op_of_op '
        'local_opt_alloc local_pow_canonicalize local_pow_specialize '
        'local_pow_specialize_device local_rebroadcast_lift local_reduce_broadcastable '
        'local_reduce_join local_remove_all_assert local_remove_useless_assert '
        'local_reshape_chain local_reshape_lift local_reshape_to_dimshuffle '
        'local_scalar_tensor_scalar local_set_to_inc_subtensor '
        'local_setsubtensor_of_constants local_shape_to_shape_i local_subtensor_inc_subtensor '
        'local_subtensor_lift local_subtensor_make_vector local_subtensor_merge '
        'local_subtensor_of_alloc local_subtensor_of_dot '
        'local_subtensor_remove_broadcastable_index local_sum_prod_all_to_none '
        'local_sum_prod_div_dimshuffle local_sum_prod_mul_by_scalar local_sumsqr2dot '
        'local_tensor_scalar_tensor local_track_shape_i local_upcast_elemwise_constant_inputs '
        'local_useless_alloc local_useless_composite local_useless_dimshuffle_in_reshape '
        'local_useless_elemwise local_useless_elemwise_comparison local_useless_fill '
        'local_useless_inc_subtensor local_useless_inc_subtensor_alloc '
        'local_useless_rebroadcast local_useless_reduce local_useless_reshape '
        'local_useless_slice local_useless_split local_useless_subtensor local_useless_switch '
        'local_useless_tile local_useless_topk local_view_op local_zero_div make_constant '
        'make_vector merge_broadcastables merge_two_slices mul_calculate mul_canonizer '
        'pre_constant_merge pre_greedy_local_optimizer register_canonicalize '
        'register_specialize register_specialize_device register_stabilize '
        'register_uncanonicalize register_useless scalarconsts_rest topo_constant_folding '
        'values_eq_approx_remove_inf values_eq_approx_remove_inf_nan '
        'values_eq_approx_remove_nan '
    ),
    'theano.tensor.raw_random': (
        'RandomFunction RandomStateType RandomStreamsBase binomial choice choice_helper '
        'multinomial multinomial_helper normal optdb permutation permutation_helper poisson '
        'random_integers random_integers_helper random_make_inplace random_state_type uniform '
    ),
    'theano.tensor.shared_randomstreams': (
        'RandomStateSharedVariable RandomStreams SharedVariable randomstate_constructor '
        'shared shared_constructor '
    ),
    'theano.tensor.sharedvar': (
        'ScalarSharedVariable SharedVariable TensorSharedVariable TensorType '
        'load_shared_variable scalar_constructor shared_constructor tensor_constructor '
    ),
    'theano.tensor.signal': '',
    'theano.tensor.signal.conv': (
        'conv2d '
    ),
    'theano.tensor.signal.pool': (
        'Apply AveragePoolGrad DisconnectedType DownsampleFactorMaxGradGrad EnumList '
        'MaxPoolGrad MaxPoolRop OpenMPOp ParamsType Pool PoolGrad PoolingMode_t Variable '
        'bool_t max_pool_2d_same_size pool_2d pool_3d '
    ),
    'theano.tensor.slinalg': (
        'Apply Cholesky CholeskyGrad Eigvalsh EigvalshGrad Expm ExpmGrad Op Solve '
        'as_tensor_variable cholesky eigvalsh expm kron solve solve_lower_triangular '
        'solve_symmetric solve_upper_triangular '
    ),
    'theano.tensor.sort': (
        'ArgSortOp SortOp TopKOp arange argsort argtopk grad_undefined mul set_subtensor sort '
        'topk topk_and_argtopk '
    ),
    'theano.tensor.subtensor': (
        'AdvancedBooleanIncSubtensor AdvancedBooleanIndexingError AdvancedBooleanSubtensor '
        'AdvancedIncSubtensor AdvancedIncSubtensor1 AdvancedIndexingError AdvancedSubtensor '
        'AdvancedSubtensor1 Apply BaseAdvancedIncSubtensor BaseAdvancedSubtensor DimShuffle '
        'DisconnectedType IncSubtensor MethodNotDefined NoneConst NoneTypeT '
        'NotScalarConstantError Op ParamsType SliceType Subtensor SubtensorPrinter TensorType '
        'Type addbroadcast adv_index_broadcastable_pattern advanced_boolean_inc_subtensor '
        'advanced_boolean_set_subtensor advanced_boolean_subtensor advanced_inc_subtensor '
        'advanced_inc_subtensor1 advanced_set_subtensor advanced_set_subtensor1 '
        'advanced_subtensor advanced_subtensor1 alloc as_index_variable '
        'check_advanced_indexing_dimensions check_and_reject_bool clip config '
        'get_canonical_form_slice get_idx_list get_scalar_constant_value hashtype inc_code '
        'inc_subtensor make_constant make_slice pprint set_subtensor take '
    ),
    'theano.tensor.type': (
        'TensorType Type Variable config hashtype values_eq_approx '
        'values_eq_approx_always_true values_eq_approx_remove_inf '
        'values_eq_approx_remove_inf_nan values_eq_approx_remove_nan '
    ),
    'theano.tensor.utils': (
        'hash_from_code hash_from_ndarray shape_of_variables '
    ),
    'theano.tensor.var': (
        'AsTensorError ComplexError Constant IntegerDivisionError TensorConstant '
        'TensorConstantSignature TensorType TensorVariable Variable config equal_slices '
        'hash_from_ndarray hashtype '
    ),
    'theano.tensor.xlogx': (
        'Elemwise XlogX XlogY0 scalar_xlogx scalar_xlogy0 xlogx xlogy0 '
    ),
    'theano.typed_list': (
        'Append Apply Constant Count Extend GetItem Index Insert Length MakeList Op Remove '
        'Reverse SliceType TypedListConstant TypedListType TypedListVariable Variable append '
        'basic count extend getitem index_ insert length make_list opt remove reverse type '
    ),
    'theano.updates': (
        'OrderedUpdates SharedVariable '
    ),
}

MODULES = (
    'theano theano.compat theano.compile theano.compile.builders theano.compile.debugmode '
    'theano.compile.function theano.compile.function_module theano.compile.io '
    'theano.compile.mode theano.compile.monitormode theano.compile.nanguardmode '
    'theano.compile.ops theano.compile.pfunc theano.compile.profiling '
    'theano.compile.sandbox theano.compile.sharedvalue theano.configdefaults '
    'theano.configparser theano.d3viz theano.d3viz.d3viz theano.d3viz.formatting '
    'theano.gof theano.gof.callcache theano.gof.cc theano.gof.cmodule '
    'theano.gof.compiledir theano.gof.compilelock theano.gof.cutils '
    'theano.gof.destroyhandler theano.gof.fg theano.gof.graph theano.gof.lazylinker_c '
    'theano.gof.link theano.gof.null_type theano.gof.op theano.gof.opt theano.gof.optdb '
    'theano.gof.params_type theano.gof.sched theano.gof.toolbox theano.gof.type '
    'theano.gof.unify theano.gof.utils theano.gof.vm theano.gpuarray '
    'theano.gpuarray.basic_ops theano.gpuarray.blas theano.gpuarray.blocksparse '
    'theano.gpuarray.ctc theano.gpuarray.cudnn_defs theano.gpuarray.dnn '
    'theano.gpuarray.elemwise theano.gpuarray.extra_ops theano.gpuarray.fft '
    'theano.gpuarray.fp16_help theano.gpuarray.kernel_codegen theano.gpuarray.linalg '
    'theano.gpuarray.multinomial theano.gpuarray.neighbours theano.gpuarray.nerv '
    'theano.gpuarray.nnet theano.gpuarray.opt theano.gpuarray.opt_util '
    'theano.gpuarray.pool theano.gpuarray.reduction theano.gpuarray.rng_mrg '
    'theano.gpuarray.sort theano.gpuarray.subtensor theano.gpuarray.type theano.gradient '
    'theano.ifelse theano.misc theano.misc.buildbot_filter theano.misc.burn_gpu '
    'theano.misc.check_blas theano.misc.check_duplicate_key theano.misc.check_multi_gpu '
    'theano.misc.cpucount theano.misc.doubleop theano.misc.elemwise_openmp_speedup '
    'theano.misc.elemwise_time_test theano.misc.frozendict theano.misc.gh_api '
    'theano.misc.latence_gpu_transfert theano.misc.may_share_memory '
    'theano.misc.ordered_set theano.misc.pkl_utils theano.misc.safe_asarray '
    'theano.misc.strutil theano.misc.windows theano.pathparse theano.printing '
    'theano.raise_op theano.sandbox theano.sandbox.blocksparse theano.sandbox.conv '
    'theano.sandbox.cuda theano.sandbox.fourier theano.sandbox.linalg '
    'theano.sandbox.linalg.ops theano.sandbox.minimal theano.sandbox.multinomial '
    'theano.sandbox.neighbours theano.sandbox.rng_mrg theano.sandbox.softsign '
    'theano.sandbox.solve theano.scalar theano.scalar.basic theano.scalar.basic_scipy '
    'theano.scalar.basic_sympy theano.scalar.sharedvar theano.scan_module '
    'theano.scan_module.scan theano.scan_module.scan_checkpoints '
    'theano.scan_module.scan_op theano.scan_module.scan_opt '
    'theano.scan_module.scan_perform_ext theano.scan_module.scan_utils '
    'theano.scan_module.scan_views theano.sparse theano.sparse.basic theano.sparse.opt '
    'theano.sparse.sandbox theano.sparse.sandbox.sp theano.sparse.sandbox.sp2 '
    'theano.sparse.sandbox.truedot theano.sparse.sharedvar theano.sparse.type '
    'theano.sparse.utils theano.tensor theano.tensor.basic theano.tensor.blas '
    'theano.tensor.blas_c theano.tensor.blas_headers theano.tensor.blas_scipy '
    'theano.tensor.elemwise theano.tensor.elemwise_cgen theano.tensor.extra_ops '
    'theano.tensor.fft theano.tensor.fourier theano.tensor.inc_code theano.tensor.inplace '
    'theano.tensor.io theano.tensor.nlinalg theano.tensor.nnet '
    'theano.tensor.nnet.abstract_conv theano.tensor.nnet.blocksparse '
    'theano.tensor.nnet.bn theano.tensor.nnet.conv theano.tensor.nnet.conv3d2d '
    'theano.tensor.nnet.corr theano.tensor.nnet.corr3d theano.tensor.nnet.ctc '
    'theano.tensor.nnet.neighbours theano.tensor.nnet.nnet theano.tensor.nnet.opt '
    'theano.tensor.nnet.sigm theano.tensor.opt theano.tensor.opt_uncanonicalize '
    'theano.tensor.raw_random theano.tensor.shared_randomstreams theano.tensor.sharedvar '
    'theano.tensor.signal theano.tensor.signal.conv theano.tensor.signal.pool '
    'theano.tensor.slinalg theano.tensor.sort theano.tensor.subtensor theano.tensor.type '
    'theano.tensor.type_other theano.tensor.utils theano.tensor.var theano.tensor.xlogx '
    'theano.typed_list theano.typed_list.basic theano.typed_list.opt '
    'theano.typed_list.type theano.updates theano.version '
).split()
