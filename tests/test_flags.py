"""Theano's flags, modes and debugging tools: THEANO_FLAGS, devices, profiles,
compute_test_value, NanGuardMode, MonitorMode, DebugMode, Print, pp, f.maker, f.copy, In,
theano.clone, theano.gof, theano.tensor.opt, and the errors for names not there yet."""
import io
import json
import logging
import os
import subprocess
import sys
import warnings

import jax
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.compile import profiling
from symgraph.compile.debugmode import DebugMode, InvalidValueError
from symgraph.compile.io import In
from symgraph.compile.monitormode import MonitorMode
from symgraph.compile.nanguardmode import NanGuardMode
from symgraph.notyet import NotYetError, NotYetModuleError, missing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code, **env):
    """Run ``code`` in a fresh interpreter with extra environment variables."""
    full_env = dict(os.environ, PYTHONPATH=ROOT)
    full_env.pop('THEANO_FLAGS', None)
    full_env.pop('SYMGRAPH_FLAGS', None)
    full_env.update(env)
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          env=full_env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def scalars(*names):
    return [T.dscalar(n) for n in names]


# -- flags ----------------------------------------------------------------------------
def test_theano_flags_are_read_and_symgraph_flags_win():
    done = run_python(
        'import symgraph as theano; c = theano.config\n'
        'print(c.floatX, c.optimizer, c.blas.ldflags == "-lblas", c.warn.round, '
        'c.on_unused_input)',
        THEANO_FLAGS='floatX=float32,optimizer=fast_compile,blas.ldflags=-lblas,'
                     'warn.round=True,nosuchflag=1,nosuch.group=2,nosuchflag=3',
        SYMGRAPH_FLAGS='floatX=float64,on_unused_input=ignore')
    assert done.stdout.split() == ['float64', 'fast_compile', 'True', 'True', 'ignore']
    # unknown names are warned about once each, as Theano does
    assert done.stderr.count('does not recognise this flag: nosuchflag') == 1
    assert done.stderr.count('does not recognise this flag: nosuch.group') == 1


def test_theano_only_flags_read_as_theanos_defaults_and_can_be_set():
    config = theano.config
    assert config.cxx == '' and config.linker == 'cvm' and config.allow_gc is True
    assert config.NanGuardMode.nan_is_error is True
    assert config.profiling.destination == 'stderr'
    config.warn.subtensor_merge_bug = False  # rnnrbm.py does this
    with theano.change_flags(**{'DebugMode.check_finite': False, 'floatX': 'float32'}):
        assert config.DebugMode.check_finite is False and config.floatX == 'float32'
    assert config.DebugMode.check_finite is True and config.floatX == 'float64'
    with pytest.raises(AttributeError, match='no flag'):
        config.flaotX = 'float32'
    with pytest.raises(ValueError):
        config.compute_test_value = 'sometimes'


# Prints the thread count symgraph gave JAX's CPU client and whether XLA split a large
# elementwise program's loop across threads (its compiled HLO records the split).
THREADS_CHILD = r'''
import json, os
import symgraph as theano
import jax, jax.numpy as jnp
text = jax.jit(jnp.tanh).lower(jnp.ones((2000, 2000), jnp.float32)).compile().as_text()
print(json.dumps({'nproc': os.environ.get('PJRT_NPROC'),
                  'split': 'outer_dimension_partitions' in text}))
'''


def test_cpu_threads_sizes_xlas_pool_and_its_loop_splitting(tmp_path):
    """The flag reaches JAX's CPU client before it is created, XLA compiles by it, and a
    program kept on disk by a process with one size is not loaded by one with another."""
    def child(flags):
        env = {k: v for k, v in os.environ.items()
               if k not in ('PJRT_NPROC', 'NPROC', 'THEANO_FLAGS')}
        env.update(PYTHONPATH=ROOT, SYMGRAPH_FLAGS='compiledir=%s,%s' % (tmp_path, flags))
        done = subprocess.run([sys.executable, '-c', THREADS_CHILD], capture_output=True,
                              text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])
    assert child('cpu_threads=1') == {'nproc': '1', 'split': False}
    assert child('cpu_threads=2') == {'nproc': '2', 'split': True}
    assert child('cpu_threads=1') == {'nproc': '1', 'split': False}
    default = child('cache=False')
    assert default['nproc'] == ('1' if (os.cpu_count() or 1) <= 2 else None)
    assert sorted(os.listdir(tmp_path)) == ['cpu-threads-1', 'cpu-threads-2']


def test_devices():
    config = theano.config
    for name, index in (('cuda0', 0), ('cuda1', 1), ('gpu', 0), ('gpu2', 2), ('cuda', 0)):
        config.device = name
        assert config.jax_platform == 'gpu' and config.device_index == index
    config.device = 'cpu'
    with pytest.raises(ValueError, match="'cpu', 'cuda' or 'cudaN'"):
        config.device = 'opencl0:0'
    if not any(d.platform == 'gpu' for d in jax.devices()):
        config.device = 'cuda0'
        with pytest.raises(RuntimeError, match=r'pip install "jax\[cuda12\]"'):
            theano.shared(np.ones(2))


def test_change_flags_as_a_decorator():
    @theano.change_flags(compute_test_value='warn')
    def inside():
        return theano.config.compute_test_value
    assert inside() == 'warn' and theano.config.compute_test_value == 'off'


# -- compute_test_value --------------------------------------------------------------------
def test_compute_test_value_raises_at_the_users_line():
    theano.config.compute_test_value = 'raise'
    x = T.matrix('x')
    x.tag.test_value = np.random.rand(5, 10)
    W = theano.shared(np.random.rand(10, 3), name='W')
    h = T.dot(x, W)
    assert h.tag.test_value.shape == (5, 3)
    y = T.vector('y')
    y.tag.test_value = np.ones(4)
    with pytest.raises(Exception) as info:
        h + y  # (5, 3) + (4,): the error comes now, from this line
    assert 'test_flags.py' in str(info.value) and 'h + y' in str(info.value)
    with pytest.raises(ValueError, match=r'Cannot compute test value: input 1 \(m\)'):
        T.dot(h, T.matrix('m'))
    with pytest.raises(TypeError, match='Wrong number of dimensions'):
        x.tag.test_value = np.ones(3)  # checked against the type when set
    f = theano.function([x], h.sum())  # rewrites run without test values
    np.testing.assert_allclose(f(x.tag.test_value), (x.tag.test_value @ W.get_value()).sum())


def test_compute_test_value_warn_ignore_and_scan():
    x = T.vector('x')
    x.tag.test_value = np.arange(3.)
    with theano.change_flags(compute_test_value='warn'):
        with pytest.warns(UserWarning, match='Cannot compute test value'):
            z = x + T.vector('nothing')
        assert not hasattr(z.tag, 'test_value')
    with theano.change_flags(compute_test_value='ignore'), warnings.catch_warnings():
        warnings.simplefilter('error')
        x + T.vector('nothing')
    with theano.change_flags(compute_test_value='raise'):
        m = T.matrix('m')
        m.tag.test_value = np.ones((4, 3))
        out, _ = theano.scan(lambda row, acc: acc + row * 2, sequences=m,
                             outputs_info=T.zeros((3,)))
        np.testing.assert_allclose(out.get_test_value()[-1], 8)
        W = theano.shared(np.ones(3), name='W')
        g = T.grad((out[-1] * W).sum(), W)
        np.testing.assert_allclose(g.get_test_value(), 8)
    assert theano.config.compute_test_value == 'off'
    with pytest.raises(AttributeError):
        T.vector('v').get_test_value()


# -- modes ---------------------------------------------------------------------------
def test_default_mode_adds_up_call_time():
    mode = theano.compile.mode.get_default_mode()
    assert mode is theano.compile.mode.get_default_mode()
    before = mode.call_time
    x = T.vector('x')
    f = theano.function([x], x * 2)
    for _ in range(3):
        f(np.ones(2))
    assert f.mode is mode and mode.call_time > before
    assert theano.Mode(linker='cvm').linker == 'jax'
    assert theano.Mode(linker='py', optimizer=None).optimizer == 'None'
    assert theano.Mode(optimizer='o1').optimizer == 'fast_compile'
    excluded = theano.Mode().excluding('merge')
    assert excluded.rewrite_flags() == {'optimizer_excluding': 'merge'}


def test_nanguardmode_names_the_node_and_keeps_the_shared_values():
    x = T.dvector('x')
    W = theano.shared(np.ones(2), name='W')
    z = T.log(x)
    f = theano.function([x], (z * 2).sum(), updates=[(W, W + x)],
                        mode=NanGuardMode(nan_is_error=True, inf_is_error=True,
                                          big_is_error=True))
    f(np.array([1., 2.]))
    np.testing.assert_allclose(W.get_value(), [2, 3])
    with pytest.raises(AssertionError) as info:
        f(np.array([-1., 1.]))
    text = str(info.value)
    assert text.startswith('NaN detected\nNanGuardMode found an error in the output of a node')
    assert 'Apply node that caused the error: Elemwise{log,no_inplace}(x)' in text
    assert 'z = T.log(x)' in text and 'Inputs values: [array([-1.,  1.])]' in text
    np.testing.assert_allclose(W.get_value(), [2, 3])  # the failed call changed nothing
    with pytest.raises(AssertionError, match='Inf detected\nBig value detected'):
        f(np.array([0., 1.]))
    with pytest.raises(AssertionError, match='Big value detected\nNanGuardMode found an error '
                                             'in an input of the graph: x'):
        f(np.array([1e11, 1.]))
    np.testing.assert_allclose(W.get_value(), [2, 3])


def test_nanguardmode_by_name_warn_action_and_opt_out():
    x = T.dvector('x')
    f = theano.function([x], T.sqrt(x), mode='NanGuardMode')
    assert isinstance(f.mode, NanGuardMode)
    with pytest.raises(AssertionError, match='NaN detected'):
        f(np.array([-1.]))
    theano.config.NanGuardMode.action = 'warn'
    try:
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        logging.getLogger('symgraph.compile.nanguardmode').addHandler(handler)
        assert np.isnan(f(np.array([-1.]))[0])
        assert 'NaN detected' in stream.getvalue()
    finally:
        theano.config.NanGuardMode.action = 'raise'
        logging.getLogger('symgraph.compile.nanguardmode').removeHandler(handler)
    y = T.sqrt(x)
    y.tag.nan_guard_mode_check = False
    g = theano.function([x], y * 2.0, mode=NanGuardMode(inf_is_error=False, big_is_error=False))
    with pytest.raises(AssertionError, match=r'Elemwise\{mul'):
        g(np.array([-1.]))  # the sqrt is not checked; the product that receives its NaN is


def test_monitormode_runs_the_debug_faq_recipe(capsys):
    def detect_nan(i, node, fn):
        for output in fn.outputs:
            if np.isnan(output[0]).any():
                print('*** NaN detected ***')
                theano.printing.debugprint(node)
                print('Inputs : %s' % [input[0] for input in fn.inputs])
                print('Outputs: %s' % [output[0] for output in fn.outputs])
                break
    x = T.dscalar('x')
    f = theano.function([x], [T.log(x) * x],
                        mode=theano.compile.MonitorMode(post_func=detect_nan))
    assert np.isnan(f(0)[0])
    out = capsys.readouterr().out
    assert out.startswith('*** NaN detected ***\nElemwise{mul,no_inplace} [id A]')
    assert 'Inputs : [array(-inf), array(0.)]' in out and 'Outputs: [array(nan)]' in out
    seen = []
    g = theano.function([x], T.exp(x) + 1, mode=MonitorMode(pre_func=lambda i, node, fn:
                                                             seen.append((i, str(node.op)))))
    assert g(0.0) == 2.0 and [i for i, _ in seen] == [0, 1]


def test_debugmode_checks_every_value():
    x = T.dscalar('x')
    f = theano.function([x], T.log(x) * x, mode=DebugMode())
    assert f(2.0) == pytest.approx(2 * np.log(2))
    with pytest.raises(InvalidValueError, match=r'node 0 \(Elemwise\{log,no_inplace\}\) '
                                                r'holds a non-finite value \(NaN\)'):
        f(-1.0)
    assert isinstance(theano.function([x], x * 2, mode='DebugMode').mode, DebugMode)


# -- profile ---------------------------------------------------------------------------
def test_profile_counts_calls_and_reads_xlas_cost_analysis():
    x = T.dmatrix('x')
    W = theano.shared(np.ones((3, 3)), name='W')
    f = theano.function([x], T.tanh(T.dot(x, W)).sum(), updates=[(W, W * 0.9)],
                        profile=True, name='myfn')
    for _ in range(3):
        f(np.ones((4, 3)))
    f(np.ones((5, 3)))
    stats = f.profile
    assert stats.fct_callcount == 4 and stats.fct_call_time > 0 and stats.nb_nodes == 4
    assert len(stats.programs) == 2 and [p.calls for p in stats.programs] == [3, 1]
    assert stats.programs[0].cost['flops'] > 0 and stats.compile_time > 0
    assert stats.programs[0].memory['argument_size_in_bytes'] > 0
    text = stats.summary_text()
    profiling._atexit_print_list.remove(stats)  # not printed when the tests exit
    assert text.startswith('Function profiling\n==================\n  Message: myfn\n'
                           '  Time in 4 calls to Function.__call__:')
    assert 'XLA programs' in text and 'Per-op and per-node times are not measured' in text
    theano.config.profile = True
    stats = theano.function([x], x.sum()).profile
    assert stats is not None
    profiling._atexit_print_list.remove(stats)


def test_profiles_are_printed_at_exit():
    done = run_python(
        'import numpy as np, symgraph as theano, symgraph.tensor as T\n'
        'x = T.dvector("x")\n'
        'f = theano.function([x], x * 2, name="first")\n'
        'g = theano.function([x], x + 1, name="second")\n'
        'f(np.ones(3)); g(np.ones(3)); g(np.ones(3))\n',
        THEANO_FLAGS='profile=True')
    assert 'Message: first' in done.stderr and 'Message: second' in done.stderr
    assert 'Sum of all(2) printed profiles at exit.' in done.stderr


# -- printing --------------------------------------------------------------------------
def test_print_op_prints_when_the_function_runs(capsys):
    x = T.dvector('x')
    y = theano.printing.Print('hello')(x * 2)
    f = theano.function([x], y.sum())
    assert capsys.readouterr().out == ''  # nothing while building and compiling
    assert f(np.arange(3.)) == 6.0
    assert capsys.readouterr().out == 'hello __str__ = [0. 2. 4.]\n'
    g = theano.function([x], theano.printing.Print('x', attrs=('shape', 'sum'))(x).mean())
    g(np.ones(4))
    assert capsys.readouterr().out == 'x shape = (4,)\nx sum = 4.0\n'
    np.testing.assert_allclose(theano.function([x], T.grad(y.sum(), x))(np.ones(3)), 2)
    assert str(theano.printing.Print('m')).startswith(
        "Print{message='m', attrs=('__str__',), global_fn=<function _print_fn")


def test_pp_and_debugprint_return_values(capsys):
    x = T.dvector('x')
    assert theano.pp(x * 2) == theano.printing.pp(x * 2) == '(x * TensorConstant{2})'
    assert theano.printing.debugprint(x * 2) is None
    capsys.readouterr()
    stream = io.StringIO()
    assert theano.printing.debugprint(x * 2, file=stream) is stream
    text = theano.printing.debugprint(x * 2, file='str')
    assert text == stream.getvalue() and text.startswith('Elemwise{mul,no_inplace} [id A]')


# -- functions: maker, copy, In -------------------------------------------------------------
def test_maker_fgraph():
    x = T.dvector('x')
    W = theano.shared(np.ones(2), name='W')
    f = theano.function([x], (x * W).sum(), updates=[(W, W + x)])
    fgraph = f.maker.fgraph
    assert fgraph.inputs == [x, W]
    assert len(fgraph.outputs) == 2 and fgraph.toposort() == f._nodes
    assert fgraph.apply_nodes == set(f._nodes)
    assert theano.printing.debugprint(fgraph, file='str') == \
        theano.printing.debugprint(f, file='str')
    assert [i.variable for i in f.maker.inputs] == [x]


def test_in_options_as_in_the_docs():
    u, x, s = scalars('u', 'x', 's')
    inc = theano.function([u, In(x, value=3), In(s, update=(s + x * u), value=10.0)], [])
    inc(5)
    assert inc[s] == 25.0 and inc[x] == 3.0
    inc(3, 4)
    assert inc[s] == 37.0 and inc[x] == 3.0  # the override of x was only temporary
    inc(3, 4, 7)
    assert inc[s] == 19.0
    inc[s] = 10
    assert inc[s] == 10.0
    # a second function sharing the state through the container
    dec = theano.function([x, In(s, update=(s - x), value=inc.container[s], implicit=False)],
                          [])
    dec(1)
    assert inc[s] == dec[s] == 9.0
    inc2 = theano.function([u, In(s, update=(s + u), value=inc.container[s])], [])
    inc2(1)
    assert inc[s] == 10.0
    with pytest.raises(TypeError, match='Tried to provide value for implicit input: s'):
        inc2(1, 5)


def test_older_input_forms():
    a, b, c = scalars('x', 'y', 's')
    fn = theano.function([a, b, ((c, c + a + b), 10.0)], [])
    assert fn['s'] is fn.value[c] and fn['s'] is fn.container[c].value and fn['s'] == 10.0
    fn(1, 2)
    assert fn['s'] == 13.0
    fn['s'] = 99.0
    fn(1, 0)
    assert fn['s'] == 100.0
    x, y, z, w = T.dscalar(), T.dscalar('y'), T.dscalar('z'), T.dscalar('w')
    fn = theano.function(inputs=[x, y, In(z, value=42), ((w, w + x), 0)], outputs=x + y + z)
    assert [fn(1, 2), fn(1, y=2), fn(1, 2, 3), fn(1, z=3, y=2), fn(1, 2, w=400), fn(1, 2)] \
        == [45, 45, 6, 6, 45, 45]
    assert fn['w'] == 402
    with pytest.raises(TypeError, match='Missing required input: y'):
        fn(1)
    with pytest.raises(TypeError, match='Unknown input or state: x.*1 unnamed input'):
        fn(x=1, y=2)
    with pytest.warns(UserWarning, match='Param class is deprecated'):
        p = theano.Param(x, default=1.5)
    assert theano.function([p], x * 2)() == 3.0
    with pytest.raises(TypeError, match='An implicit input must be given a default value'):
        In(x, implicit=True)
    with pytest.raises(TypeError, match='type of the update'):
        In(x, update=T.dvector('v'), value=1.0)


def test_stateful_inputs_keep_the_guarantees():
    x, s = scalars('x', 's')
    f = theano.function([x, In(s, update=s + x, value=0.0)], s * 1)
    assert [f(1), f(1), f(2)] == [0, 1, 2]
    assert f['s'] == 4
    with pytest.raises(NotImplementedError, match='inputs with updates'):
        f.loop(x=np.ones(3))


def test_copy():
    x = T.dvector('x')
    W = theano.shared(np.zeros(2), name='W')
    f = theano.function([x], W.sum(), updates=[(W, W + x)])
    g = f.copy()  # its own W
    g(np.ones(2))
    np.testing.assert_allclose(W.get_value(), 0)
    h = f.copy(share_memory=True)
    h(np.ones(2))
    np.testing.assert_allclose(W.get_value(), 1)
    V = theano.shared(np.full(2, 10.0), name='V')
    k = f.copy(swap={W: V})
    assert k(np.ones(2)) == [20.0]  # a list, as Theano's copies (and its tutorial) give
    np.testing.assert_allclose(V.get_value(), 11)
    np.testing.assert_allclose(W.get_value(), 1)
    frozen = f.copy(delete_updates=True, share_memory=True)
    frozen(np.ones(2))
    np.testing.assert_allclose(W.get_value(), 1)
    with pytest.raises(TypeError, match='cannot be swapped'):
        f.copy(swap={W: theano.shared(np.zeros((2, 2)))})
    u, s = scalars('u', 's')
    inc = theano.function([u, In(s, update=s + u, value=0.0)], [])
    twin = inc.copy()
    twin(5)
    assert inc[s] == 0 and twin[s] == 5


def test_clone():
    x, y = T.dvector('x'), T.dvector('y')
    out = T.exp(x) * 2
    cloned = theano.clone(out, replace={x: y})
    assert cloned is not out and cloned.owner.inputs[0].owner.inputs[0] is y
    np.testing.assert_allclose(cloned.eval({y: np.zeros(2)}), 2)
    copy = theano.clone([out], share_inputs=False)[0]
    assert copy.owner is not out.owner and copy.owner.inputs[0].owner.inputs[0] is not x


# -- theano.gof, theano.tensor.opt --------------------------------------------------------
def test_gof_names():
    from symgraph import gof
    from symgraph.gof import Apply, Constant, Op, Variable, graph
    x, y = T.dvector('x'), T.dvector('y')
    out = x * y + 1
    assert Op is theano.Op and Apply is theano.Apply
    assert isinstance(out, Variable) and isinstance(out.owner, gof.Apply)
    leaves = graph.inputs([out])
    assert x in leaves and y in leaves and any(isinstance(v, Constant) for v in leaves)
    order = graph.io_toposort([x, y], [out])
    assert order[-1] is out.owner and out.owner.inputs[0].owner in order
    new_inputs, new_outputs = graph.clone([x, y], [out])
    assert new_inputs[0] is not x and new_outputs[0].owner is not out.owner


def test_register_canonicalize_adds_a_client_rewrite():
    from symgraph.gof import local_optimizer
    from symgraph.tensor.opt import register_canonicalize
    from symgraph.rewrite.engine import REGISTRY

    class Triple(theano.Op):
        __props__ = ()

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return theano.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, out):
            out[0][0] = inputs[0] * 3

    @register_canonicalize
    @local_optimizer([Triple])
    def local_triple_to_mul(node):
        if isinstance(node.op, Triple):
            return [node.inputs[0] * 3]
        return False
    try:
        x = T.dvector('x')
        f = theano.function([x], Triple()(x))
        np.testing.assert_allclose(f(np.ones(2)), 3)
        assert not any(isinstance(n.op, Triple) for n in f.maker.fgraph.toposort())
    finally:
        del REGISTRY[[r.name for r in REGISTRY].index('local_triple_to_mul')]


# -- names not there yet -------------------------------------------------------------------
def test_names_not_there_yet_say_so():
    with pytest.raises(NotYetError, match=r'theano\.tensor\.topk is a Theano name that '
                                          r'symgraph does not have yet.*README'):
        T.topk
    assert isinstance(NotYetError('x'), AttributeError)
    assert not hasattr(T, 'topk') and getattr(T, 'topk', 'default') == 'default'
    with pytest.raises(NotYetError, match=r'theano\.printing\.min_informative_str'):
        theano.printing.min_informative_str
    with pytest.raises(NotYetError, match=r'theano\.gof\.COp'):
        theano.gof.COp
    with pytest.raises(AttributeError) as info:
        T.no_such_thing_in_theano
    assert not isinstance(info.value, NotYetError)
    with pytest.raises(NotYetModuleError, match=r'theano\.tensor\.io is a Theano module'):
        exec('import symgraph.tensor.io')
    with pytest.raises(NotYetModuleError, match=r'theano\.tensor\.blas is a Theano module'):
        exec('from symgraph.tensor import blas')
    assert T.opt.register_canonicalize is not None  # a submodule reached as an attribute


def test_missing_lists_the_theano_names_symgraph_lacks():
    lacking = missing()
    assert lacking['theano.tensor.io'] == ['*']
    assert 'function' not in lacking.get('theano', [])
    assert 'CLinker' in lacking['theano']


def test_a_bad_argument_leaves_an_input_state_as_it_was():
    x, s = T.dvector('x'), T.dscalar('s')
    f = theano.function([x, In(s, update=s + x.sum(), value=1.0)], s * 1)
    with pytest.raises(TypeError, match='Wrong number of dimensions'):
        f(np.ones((2, 2)), 5.0)
    assert f['s'] == 1.0
    assert f(np.ones(2), 5.0) == 5.0 and f['s'] == 7.0
