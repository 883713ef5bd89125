"""Seeded random graphs as plain data, for differential tests against numpy_reference.py
and against real Theano (tests/goldens/make_random_graph_goldens.py).

A *case* is a dict::

    {'seed': 17, 'kind': 'forward' | 'grad',
     'inputs': (('x0', 'float32', (False, True), (3, 1)), ('i1', 'int64', (), ())), ...),
     'values': {'x0': ndarray, 'i1': ndarray, ...},
     'outputs': (expr, ...),
     'error': None | 'IndexError' | 'ValueError'}

and an *expr* is a nested tuple (hashable, so equal subgraphs are built once):

    ('in', name)                              an input
    ('scalar', 2.5)                           a Python scalar (autocast as in Theano)
    ('array', flat_values, shape, dtype)      T.constant(np.array(...))
    (op, a)                                   T.<op>(a), op in neg abs exp log tanh sqrt floor ceil
    (op, a, b)                                T.<op>(a, b), op in add sub mul true_div int_div mod
                                              pow maximum minimum eq neq lt le gt ge
    ('switch', c, a, b)                       T.switch(c, a, b)
    ('cast', a, dtype)                        T.cast(a, dtype)
    (op, a, axis, keepdims)                   T.<op>(a, axis=, keepdims=), op in sum prod mean
                                              max min; axis None, an int or a tuple
    ('dot', a, b)                             T.dot(a, b)
    ('dimshuffle', a, pattern)                a.dimshuffle(*pattern)
    ('reshape', a, shape)                     a.reshape(shape)
    ('shape_i', a, k)                         a.shape[k]
    ('getitem', a, idx)                       a[idx]
    ('set_subtensor', a, idx, y)              T.set_subtensor(a[idx], y)
    ('inc_subtensor', a, idx, y)              T.inc_subtensor(a[idx], y)
    ('join', axis, parts)                     T.join(axis, *parts)
    ('concatenate', parts, axis)              T.concatenate(list(parts), axis=axis)
    ('stack', parts, axis)                    T.stack(list(parts), axis=axis)

An index ``idx`` is a tuple of entries: a Python int, an expr (an integer scalar: symbolic
index; an integer vector: advanced index), ``('list', (1, 0))`` (a Python list, advanced) or
``('slice', start, stop, step)`` whose parts are None, Python ints or integer scalar exprs.

``build(case, T)`` makes the graph with any Theano-compatible module ``T`` (symgraph or
Theano 1.0.5); ``case_code(case)`` prints a self-contained reproducer.

Generation evaluates every proposed node with the numpy reference: once exactly and in
``N_PERTURBED`` perturbed runs (every rounded float result multiplied by
``1 + PERTURB * eps * U(-1, 1)``). A node is kept only if Theano would build it, its result is
defined (no integer division by zero, no NaN cast to int, ...), no integer or boolean result
changes between the runs (comparisons, casts and index values are far enough from their
thresholds that rounding differences cannot flip them) and NaN/inf appear at the same places
in every run. The spread of the perturbed runs around the exact one gives each output its
tolerance (``compare``).
"""
import numpy as np

import numpy_reference as ref
from numpy_reference import Evaluator, Invalid, RuntimeFailure, Unsafe

N_PERTURBED = 3
PERTURB = 64.0  # relative size of the perturbation, in units of eps of the result's dtype
MAX_SIZE = 240  # elements per node

FORWARD_DTYPES = ('float64', 'float32', 'int8', 'int32', 'int64', 'uint8', 'bool')
FORWARD_DTYPE_P = (0.32, 0.24, 0.1, 0.1, 0.1, 0.07, 0.07)
ALL_DTYPES = FORWARD_DTYPES + ('int16',)
FULL = ('slice', None, None, None)


# ---------------------------------------------------------------------------------------
# Building a case with T (symgraph or Theano)
# ---------------------------------------------------------------------------------------

def index_children(idx):
    out = []
    for entry in idx:
        if isinstance(entry, int) or entry[0] == 'list':
            continue
        if entry[0] == 'slice':
            out.extend(p for p in entry[1:] if isinstance(p, tuple))
        else:
            out.append(entry)
    return out


def children(e):
    """The sub-expressions an expr uses directly."""
    op = e[0]
    if op in ('in', 'scalar', 'array'):
        return []
    if op in ref.UNARY or op in ref.BINARY or op == 'switch':
        return list(e[1:])
    if op in ('cast', 'dimshuffle', 'reshape', 'shape_i') or op in ref.REDUCTIONS:
        return [e[1]]
    if op == 'dot':
        return [e[1], e[2]]
    if op == 'getitem':
        return [e[1]] + index_children(e[2])
    if op in ('set_subtensor', 'inc_subtensor'):
        return [e[1]] + index_children(e[2]) + [e[3]]
    if op == 'join':
        return list(e[2])
    if op in ('concatenate', 'stack'):
        return list(e[1])
    raise ValueError('unknown op %r' % (op,))


def input_names(exprs):
    """Names of the inputs the exprs depend on, in order of first appearance."""
    names, seen = [], set()
    stack = list(reversed(exprs))
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if e[0] == 'in':
            if e[1] not in names:
                names.append(e[1])
        else:
            stack.extend(reversed(children(e)))
    return names


def build(case, T, prefix='', memo=None):
    """(input variables, output variables) of ``case`` made with the module ``T``; the inputs
    are the ones the outputs use, in the order of ``case['inputs']``. ``memo`` (a dict) gets
    the variable of every expr."""
    used = set(input_names(case['outputs']))
    variables = {}
    for name, dtype, bcast, _ in case['inputs']:
        variables[name] = T.tensor(dtype, bcast, name=prefix + name)
    memo = {} if memo is None else memo

    def idx_entry(e):
        if isinstance(e, int):
            return e
        if e[0] == 'list':
            return list(e[1])
        if e[0] == 'slice':
            return slice(*[p if p is None or isinstance(p, int) else b(p) for p in e[1:]])
        return b(e)

    def b(e):
        if isinstance(e, (int, float)):
            return e
        try:
            return memo[e]
        except KeyError:
            pass
        op = e[0]
        if op == 'in':
            v = variables[e[1]]
        elif op == 'scalar':
            v = e[1]
        elif op == 'array':
            v = T.constant(np.asarray(e[1], dtype=e[3]).reshape(e[2]))
        elif op in ref.UNARY:
            v = getattr(T, 'abs_' if op == 'abs' else op)(b(e[1]))
        elif op in ref.BINARY:
            v = getattr(T, op)(b(e[1]), b(e[2]))
        elif op == 'switch':
            v = T.switch(b(e[1]), b(e[2]), b(e[3]))
        elif op == 'cast':
            v = T.cast(b(e[1]), e[2])
        elif op in ref.REDUCTIONS:
            v = getattr(T, op)(b(e[1]), axis=e[2], keepdims=e[3])
        elif op == 'dot':
            v = T.dot(b(e[1]), b(e[2]))
        elif op == 'dimshuffle':
            v = b(e[1]).dimshuffle(*e[2])
        elif op == 'reshape':
            v = b(e[1]).reshape(e[2])
        elif op == 'shape_i':
            v = b(e[1]).shape[e[2]]
        elif op == 'getitem':
            v = b(e[1])[tuple(idx_entry(i) for i in e[2])]
        elif op in ('set_subtensor', 'inc_subtensor'):
            v = getattr(T, op)(b(e[1])[tuple(idx_entry(i) for i in e[2])], b(e[3]))
        elif op == 'join':
            v = T.join(e[1], *[b(p) for p in e[2]])
        elif op == 'concatenate':
            v = T.concatenate([b(p) for p in e[1]], axis=e[2])
        elif op == 'stack':
            v = T.stack([b(p) for p in e[1]], axis=e[2])
        else:
            raise ValueError('unknown op %r' % (op,))
        memo[e] = v
        return v

    outputs = [b(e) for e in case['outputs']]
    inputs = [variables[n] for n, _, _, _ in case['inputs'] if n in used]
    return inputs, outputs


def input_values(case):
    used = set(input_names(case['outputs']))
    return [case['values'][n] for n, _, _, _ in case['inputs'] if n in used]


# ---------------------------------------------------------------------------------------
# Readable reproducer
# ---------------------------------------------------------------------------------------

def _num(x):
    if isinstance(x, float):
        if np.isnan(x):
            return 'np.nan'
        if np.isinf(x):
            return 'np.inf' if x > 0 else '-np.inf'
    return repr(x)


def _lit(obj):
    if isinstance(obj, list):
        return '[' + ', '.join(_lit(o) for o in obj) + ']'
    return _num(obj)


def array_code(value):
    value = np.asarray(value)
    if value.size == 0:
        return 'np.zeros(%r, dtype=%r)' % (value.shape, value.dtype.name)
    return 'np.array(%s, dtype=%r)' % (_lit(value.tolist()), value.dtype.name)


def node_lines(case):
    """[(expr, name, code)] for the nodes of ``case`` in the order case_code defines them."""
    lines = []
    names = {}

    def part(p):
        return 'None' if p is None else (str(p) if isinstance(p, int) else name_of(p))

    def idx_code(idx):
        out = []
        for e in idx:
            if isinstance(e, int):
                out.append(str(e))
            elif e[0] == 'list':
                out.append(repr(list(e[1])))
            elif e[0] == 'slice':
                s = '%s:%s' % ('' if e[1] is None else part(e[1]),
                               '' if e[2] is None else part(e[2]))
                if e[3] is not None:
                    s += ':' + part(e[3])
                out.append(s)
            else:
                out.append(name_of(e))
        return ', '.join(out)

    def name_of(e):
        if e[0] == 'in':
            return e[1]
        if e[0] == 'scalar':
            return _num(e[1])
        if e in names:
            return names[e]
        op = e[0]
        if op == 'array':
            text = 'T.constant(%s)' % array_code(np.asarray(e[1], dtype=e[3]).reshape(e[2]))
        elif op in ref.UNARY:
            text = 'T.%s(%s)' % ('abs_' if op == 'abs' else op, name_of(e[1]))
        elif op in ref.BINARY:
            text = 'T.%s(%s, %s)' % (op, name_of(e[1]), name_of(e[2]))
        elif op == 'switch':
            text = 'T.switch(%s, %s, %s)' % tuple(name_of(a) for a in e[1:])
        elif op == 'cast':
            text = 'T.cast(%s, %r)' % (name_of(e[1]), e[2])
        elif op in ref.REDUCTIONS:
            text = 'T.%s(%s, axis=%r, keepdims=%r)' % (op, name_of(e[1]), e[2], e[3])
        elif op == 'dot':
            text = 'T.dot(%s, %s)' % (name_of(e[1]), name_of(e[2]))
        elif op == 'dimshuffle':
            text = '%s.dimshuffle(%s)' % (name_of(e[1]), ', '.join(repr(p) for p in e[2]))
        elif op == 'reshape':
            text = '%s.reshape(%r)' % (name_of(e[1]), tuple(e[2]))
        elif op == 'shape_i':
            text = '%s.shape[%d]' % (name_of(e[1]), e[2])
        elif op == 'getitem':
            text = '%s[%s]' % (name_of(e[1]), idx_code(e[2]))
        elif op in ('set_subtensor', 'inc_subtensor'):
            text = 'T.%s(%s[%s], %s)' % (op, name_of(e[1]), idx_code(e[2]), name_of(e[3]))
        elif op == 'join':
            text = 'T.join(%d, %s)' % (e[1], ', '.join(name_of(p) for p in e[2]))
        elif op in ('concatenate', 'stack'):
            text = 'T.%s([%s], axis=%d)' % (op, ', '.join(name_of(p) for p in e[1]), e[2])
        else:
            text = repr(e)
        names[e] = 't%d' % len(names)
        lines.append((e, names[e], text))
        return names[e]

    for e in case['outputs']:
        name_of(e)
    return lines, [name_of(e) for e in case['outputs']]


def case_code(case, module='symgraph'):
    """A Python snippet reproducing ``case`` with ``module`` (as theano) and printing it."""
    lines = ['import numpy as np', 'import %s as theano' % module,
             'import %s.tensor as T' % module]
    for name, dtype, bcast, shape in case['inputs']:
        lines.append('%s = T.tensor(%r, %r, name=%r)' % (name, dtype, tuple(bcast), name))
    nodes, outs = node_lines(case)
    lines += ['%s = %s' % (name, text) for _, name, text in nodes]
    used = input_names(case['outputs'])
    ins = [n for n, _, _, _ in case['inputs'] if n in used]
    lines.append('f = theano.function([%s], [%s])' % (', '.join(ins), ', '.join(outs)))
    lines.append('print(f(%s))' % ', '.join(array_code(case['values'][n]) for n in ins))
    return '\n'.join(lines)


def describe(case):
    head = '# random graph, seed %d (%s)' % (case['seed'], case['kind'])
    if case.get('error'):
        head += ', expected to raise %s' % case['error']
    return head + '\n' + case_code(case)


# ---------------------------------------------------------------------------------------
# Reference results and comparison
# ---------------------------------------------------------------------------------------

def reference_runs(case, floatX='float64'):
    """Outputs evaluated exactly and in the perturbed runs: a list (one per run) of lists of
    Refs. Raises RuntimeFailure for error cases."""
    inputs = {n: (dt, tuple(bc), case['values'][n]) for n, dt, bc, _ in case['inputs']}
    def evaluate(flush_subnormals):
        runs = [Evaluator(inputs, floatX, flush_subnormals=flush_subnormals)] + [
            Evaluator(inputs, floatX, noise=(np.random.RandomState(case['seed'] * 31 + k),
                                             PERTURB), flush_subnormals=flush_subnormals)
            for k in range(1, N_PERTURBED + 1)]
        return [[ev(e) for e in case['outputs']] for ev in runs], runs[0]
    results, exact = evaluate(False)
    if exact.has_subnormals():  # as XLA computes on the CPU
        results, _ = evaluate(True)
    return results


def tolerance(exact, perturbed):
    """Elementwise tolerance of a float result: twice the spread of the perturbed runs plus
    a few ulps."""
    dtype = exact.dtype.name
    spread = np.zeros(exact.shape)
    with np.errstate(all='ignore'):
        for p in perturbed:
            d = np.abs(p.astype('float64') - exact.astype('float64'))
            spread = np.maximum(spread, np.where(np.isfinite(d), d, 0.0))
        return 2.0 * spread + 8.0 * ref.eps(dtype) * np.abs(exact.astype('float64')) \
            + float(np.finfo(dtype).tiny)


def compare_value(got, exact, perturbed=()):
    """None if ``got`` (an array from the function) matches the reference value ``exact``
    (same dtype, shape; values exact for discrete dtypes, within ``tolerance`` for floats,
    NaN and inf at the same places); else a message."""
    got = np.asarray(got)
    if got.dtype != exact.dtype:
        return 'dtype %s, expected %s' % (got.dtype, exact.dtype)
    if got.shape != exact.shape:
        return 'shape %s, expected %s' % (got.shape, exact.shape)
    if exact.dtype.name not in ref.FLOAT_DTYPES:
        if not np.array_equal(got, exact):
            return 'values differ:\n got      %s\n expected %s' % (got.tolist(), exact.tolist())
        return None
    g, e = got.astype('float64'), exact.astype('float64')
    bad = np.isnan(g) != np.isnan(e)
    fin = np.isfinite(e)
    bad |= ~fin & ~np.isnan(e) & (g != e)
    with np.errstate(all='ignore'):
        bad |= fin & ~(np.abs(g - e) <= tolerance(exact, perturbed))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        return ('values differ at %d of %d elements, first at %s: got %r, expected %r\n'
                ' got      %s\n expected %s' % (bad.sum(), bad.size, where, g[where], e[where],
                                                np.array2string(got, precision=17),
                                                np.array2string(exact, precision=17)))
    return None


def check_outputs(case, got, runs, label=''):
    """Messages for each output of ``got`` that does not match the reference runs."""
    problems = []
    for k, value in enumerate(got):
        exact = runs[0][k].value
        msg = compare_value(value, exact, [r[k].value for r in runs[1:]])
        if msg:
            problems.append('output %d%s: %s' % (k, label, msg))
    return problems


def check_types(case, outputs, runs):
    problems = []
    for k, var in enumerate(outputs):
        exp = runs[0][k]
        if var.dtype != exp.dtype:
            problems.append('output %d: variable dtype %s, Theano gives %s'
                            % (k, var.dtype, exp.dtype))
        if tuple(var.broadcastable) != exp.bcast:
            problems.append('output %d: broadcastable %s, Theano gives %s'
                            % (k, tuple(var.broadcastable), exp.bcast))
    return problems


# ---------------------------------------------------------------------------------------
# Argument layouts
# ---------------------------------------------------------------------------------------

def fortran(a):
    return np.asfortranarray(a) if a.ndim else a.copy()


def negative_strides(a):
    """The same values, viewed through negative strides along every dimension."""
    if a.ndim == 0:
        return a
    rev = (slice(None, None, -1),) * a.ndim
    return np.ascontiguousarray(a[rev])[rev]


def unaligned(a):
    """The same values in a view one byte into a byte buffer (misaligned for itemsize > 1)."""
    buf = np.zeros(a.nbytes + 1, dtype=np.uint8)
    view = buf[1:].view(a.dtype).reshape(a.shape)
    view[...] = a
    return view


LAYOUTS = (('fortran', fortran), ('negative_strides', negative_strides),
           ('unaligned', unaligned))


# ---------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------

class Rejected(Exception):
    pass


class Generator:
    """Random graphs for one seed. ``kind='grad'`` keeps to float64 inputs (plus integer
    indices), differentiable ops and values away from kinks and ties."""

    def __init__(self, seed, kind='forward', steps=None, allow_errors=True):
        self.seed = seed
        self.kind = kind
        self.grad = kind == 'grad'
        self.rng = np.random.RandomState(seed)
        self.inputs = {}
        self.order = []
        self.values = {}
        self.runs = [Evaluator(self.inputs)] + [
            Evaluator(self.inputs, noise=(np.random.RandomState(seed * 31 + k), PERTURB))
            for k in range(1, N_PERTURBED + 1)]
        self.pool = []
        self.nodes = []
        lengths = [2, 3, 4, 5] if not self.grad else [2, 3, 4]
        self.lengths = list(self.rng.choice(lengths, size=2, replace=False)) + [1]
        if not self.grad and self.rng.rand() < 0.15:
            self.lengths.append(0)
        self.steps = steps if steps is not None else self.rng.randint(3, 9)
        self.allow_errors = allow_errors
        self.error = None

    # -- values ------------------------------------------------------------------------------
    def _float_values(self, shape, dtype):
        r = self.rng
        if self.grad:
            v = r.uniform(-2.0, 2.0, size=shape)
            return np.where(np.abs(v) < 0.2, v + np.sign(v) * 0.3 + 0.01, v).astype(dtype)
        style = r.randint(4)
        if style == 0:
            v = r.uniform(-3.0, 3.0, size=shape)
        elif style == 1:
            v = np.round(r.uniform(-3.0, 3.0, size=shape), 1)  # exact ties and repeats
        elif style == 2:
            v = r.uniform(0.1, 4.0, size=shape)
        else:
            v = r.standard_normal(size=shape) * 10.0 ** r.randint(-3, 4)
        v = np.asarray(v, dtype=dtype)
        if v.size and r.rand() < 0.15:
            info = np.finfo(dtype)
            # No subnormal numbers: XLA:CPU flushes them to zero, a documented difference
            # (README, "Compatibility"; test_correctness_ops.py keeps a test of it).
            specials = [np.nan, np.inf, -np.inf, -0.0, 0.0, float(info.tiny),
                        -float(info.tiny) * 2.0, float(info.max) / 4.0]
            flat = v.reshape(-1)
            for _ in range(r.randint(1, 3)):
                flat[r.randint(flat.size)] = specials[r.randint(len(specials))]
        return v

    def make_values(self, shape, dtype):
        r = self.rng
        if dtype in ref.FLOAT_DTYPES:
            return self._float_values(shape, dtype)
        if dtype == 'bool':
            return r.randint(0, 2, size=shape).astype(bool)
        if dtype in ref.UNSIGNED_DTYPES:
            return r.randint(0, 10, size=shape).astype(dtype)
        return r.randint(-5, 6, size=shape).astype(dtype)

    # -- inputs -----------------------------------------------------------------------------------
    def new_input(self, shape, dtype, bcast=None, value=None, prefix='x'):
        shape = tuple(int(s) for s in shape)
        if bcast is None:
            bcast = tuple(s == 1 and self.rng.rand() < 0.6 for s in shape)
        name = '%s%d' % (prefix, len(self.order))
        if value is None:
            value = self.make_values(shape, dtype)
        value = np.asarray(value, dtype=dtype).reshape(shape)
        self.inputs[name] = (dtype, tuple(bool(b) for b in bcast), value)
        self.order.append(name)
        self.values[name] = value
        expr = ('in', name)
        if prefix == 'x':
            self.pool.append(expr)
        return expr

    def random_dtype(self):
        if self.grad:
            return 'float64'
        return FORWARD_DTYPES[self.rng.choice(len(FORWARD_DTYPES), p=FORWARD_DTYPE_P)]

    def random_shape(self, ndim=None):
        if ndim is None:
            ndim = self.rng.choice(4, p=(0.1, 0.3, 0.45, 0.15))
        return tuple(int(self.rng.choice(self.lengths)) for _ in range(ndim))

    def index_scalar(self, value, dtype=None):
        dtype = dtype or ('int64' if self.rng.rand() < 0.7 else 'int32')
        return self.new_input((), dtype, (), value=value, prefix='i')

    def index_vector(self, values, dtype=None):
        dtype = dtype or ('int64' if self.rng.rand() < 0.7 else 'int32')
        return self.new_input((len(values),), dtype, (False,), value=np.asarray(values),
                              prefix='v')

    # -- evaluation of proposals ------------------------------------------------------------------
    def ev(self, expr):
        return self.runs[0](expr)

    def accept(self, expr, expect_error=False):
        """Evaluate ``expr`` in every run; raise Rejected unless it is a good new node."""
        try:
            exact = self.runs[0](expr)
        except RuntimeFailure as err:
            if expect_error:
                return err.kind
            raise Rejected(str(err))
        except (Invalid, Unsafe) as err:
            raise Rejected(str(err))
        if expect_error:
            raise Rejected('no error')
        if exact.value.size > MAX_SIZE or exact.ndim > 4:
            raise Rejected('too big')
        if any(b and n != 1 for b, n in zip(exact.bcast, exact.shape)):
            raise Rejected('broadcastable dimension of length != 1')
        if expr[0] in ('getitem', 'set_subtensor', 'inc_subtensor') and expr[1][0] != 'in':
            # Theano's optimizer lifts x[idx] above an elemwise x and then leaves the
            # broadcastable dimensions of its inputs unindexed: (x + x)[:, 1:] with x of
            # shape (1, 1) gives shape (1, 1), not (1, 0). Do not slice those to nothing.
            base = self.ev(expr[1])
            np_index, _, _ = self.runs[0].index_plan(base, expr[2])
            if any(b and isinstance(i, slice) and len(range(*i.indices(1))) == 0
                   for b, i in zip(base.bcast, np_index)):
                raise Rejected('broadcastable dimension sliced to length 0')
        try:
            others = [run(expr) for run in self.runs[1:]]
        except (RuntimeFailure, Invalid, Unsafe) as err:
            raise Rejected('perturbed run: %s' % err)
        v = exact.value
        if exact.dtype in ref.FLOAT_DTYPES:
            if self.grad and not np.all(np.isfinite(v)):
                raise Rejected('non-finite value in a gradient graph')
            if self.grad and v.size and np.max(np.abs(v)) > 1e5:
                raise Rejected('too large for finite differences')
            fin = np.isfinite(v)
            scale = float(np.max(np.abs(v[fin]))) if fin.any() else 0.0
            limit = 1e3 * PERTURB * ref.eps(exact.dtype) * (scale + 1e-30)
            integral = expr[0] in ('floor', 'ceil', 'int_div')
            for o in others:
                p = o.value
                if not np.array_equal(np.isnan(p), np.isnan(v)) or not np.array_equal(
                        np.where(fin, 0.0, np.nan_to_num(v)), np.where(fin, 0.0,
                                                                       np.nan_to_num(p))):
                    raise Rejected('NaN/inf pattern depends on rounding')
                if integral and not np.array_equal(p[fin], v[fin]):
                    raise Rejected('integral result depends on rounding')
                if fin.any() and np.max(np.abs(p[fin].astype('float64') - v[fin])) > limit:
                    raise Rejected('ill-conditioned')
        else:
            for o in others:
                if not np.array_equal(o.value, v):
                    raise Rejected('discrete result depends on rounding')
        self.check_theano_rewrites(expr)
        if self.grad:
            self.check_kinks(expr)
        return None

    def subexpressions(self, expr):
        seen, stack = set(), [expr]
        while stack:
            e = stack.pop()
            if e not in seen:
                seen.add(e)
                stack.extend(children(e))
        return seen

    def check_theano_rewrites(self, expr):
        """Theano's optimizer simplifies algebra without regard to special values:
        x / x -> 1, (x + y) - x -> y, (x * y) / y -> x, mul by a constant 0 -> 0,
        x <= x -> True, x // 1 -> x (floats too), log(1 + exp(x)) -> softplus(x). Where such
        a rewrite changes a value (the cancelled term is 0, inf or NaN; exp overflows),
        Theano does not compute what the graph says: such nodes are not generated."""
        op = expr[0]
        if op in ('add', 'sub', 'mul', 'true_div'):
            shared = self.subexpressions(expr[1]) & self.subexpressions(expr[2])
            for e in shared:
                if e[0] in ('scalar', 'array'):
                    continue
                v = self.ev(e).value
                if v.dtype.name not in ref.FLOAT_DTYPES and op in ('add', 'sub'):
                    continue
                bad = ~np.isfinite(v.astype('float64'))
                if op in ('mul', 'true_div'):
                    bad |= v == 0
                if bad.any():
                    raise Rejected('Theano would cancel %s' % (e,))
        if op in ref.COMPARE and expr[1] == expr[2]:
            # x <= x -> True, x != x -> False, ... even where x is NaN
            v = self.ev(expr[1]).value
            if v.dtype.name in ref.FLOAT_DTYPES and np.isnan(v).any():
                raise Rejected('Theano would fold %s(x, x)' % op)
        if op == 'int_div' and expr[2][0] in ('scalar', 'array') and np.all(
                self.ev(expr[2]).value == 1):
            raise Rejected('Theano rewrites x // 1 to x, also for floats')
        if op == 'log' and expr[1][0] == 'add' and any(
                c[0] == 'exp' for c in expr[1][1:]):
            for c in expr[1][1:]:
                if c[0] == 'exp':
                    v = self.ev(c).value.astype('float64')
                    if np.any(~np.isfinite(v) | (v > 1e12) | (v < 1e-12)):
                        raise Rejected('Theano would use softplus')

    def check_kinks(self, expr, margin=1e-3):
        """Gradient graphs: no ties in max/min/maximum/minimum, no value at a kink."""
        op = expr[0]
        if op in ('maximum', 'minimum'):
            a, b = self.ev(expr[1]).value, self.ev(expr[2]).value
            if np.any(np.abs(a.astype('float64') - b) < margin):
                raise Rejected('tie in %s' % op)
        elif op == 'abs':
            if np.any(np.abs(self.ev(expr[1]).value) < margin):
                raise Rejected('abs at 0')
        elif op in ('max', 'min'):  # reductions
            x = self.ev(expr[1]).value.astype('float64')
            axis = expr[2]
            axes = tuple(range(x.ndim)) if axis is None else (
                (axis,) if isinstance(axis, int) else tuple(axis))
            axes = tuple(a % x.ndim for a in axes)
            rest = [d for d in range(x.ndim) if d not in axes]
            flat = np.transpose(x, rest + list(axes)).reshape(
                [x.shape[d] for d in rest] + [int(np.prod([x.shape[d] for d in axes]))])
            if flat.shape[-1] > 1:
                srt = np.sort(flat if op == 'min' else -flat, axis=-1)
                if np.any(srt[..., 1] - srt[..., 0] < margin):
                    raise Rejected('tie in %s' % op)
        elif op in ('int_div', 'mod'):
            q = self.ev(expr[1]).value / self.ev(expr[2]).value
            if np.any(np.abs(q - np.round(q)) < margin):
                raise Rejected('near a jump of %s' % op)
        elif op in ('floor', 'ceil'):
            x = self.ev(expr[1]).value
            if np.any(np.abs(x - np.round(x)) < margin):
                raise Rejected('near a jump of %s' % op)
        elif op in ref.COMPARE:
            a, b = self.ev(expr[1]).value, self.ev(expr[2]).value
            if np.any(np.abs(a.astype('float64') - b) < margin):
                raise Rejected('comparison too close to call')
        elif op == 'switch' and expr[1][0] in ref.COMPARE:
            self.check_kinks(expr[1], margin)
        elif op in ('sqrt', 'log'):
            if np.any(self.ev(expr[1]).value < margin):
                raise Rejected('%s near 0' % op)
        elif op == 'pow':
            base = self.ev(expr[1]).value
            if np.any(base < margin):
                raise Rejected('pow of a non-positive base')

    # -- picking operands -------------------------------------------------------------------------
    def pick(self, pred=lambda r: True, any_dtype=False):
        """A random pool entry whose reference value satisfies ``pred`` (recent ones more
        likely), or None. Gradient graphs pick float64 values unless ``any_dtype``."""
        cands = [e for e in self.pool if pred(self.ev(e)) and (
            any_dtype or not self.grad or self.ev(e).dtype == 'float64')]
        if not cands:
            return None
        w = np.arange(1, len(cands) + 1, dtype=float) ** 1.5
        return cands[self.rng.choice(len(cands), p=w / w.sum())]

    def fresh_like(self, shape, bcast=None, dtype=None):
        """A new input of ``shape`` (length-1 dims broadcastable at random)."""
        return self.new_input(shape, dtype or self.random_dtype(), bcast)

    def compatible_shape(self, r):
        """A random shape/pattern that Theano's elemwise rules can combine with ``r``."""
        rng = self.rng
        ndim = r.ndim if rng.rand() < 0.75 or r.ndim == 0 else rng.randint(0, r.ndim)
        shape, bcast = [], []
        for d in range(r.ndim - ndim, r.ndim):
            if r.bcast[d] and rng.rand() < 0.5:
                n = int(rng.choice([n for n in self.lengths if n != 1] or [2]))
                shape.append(n)
                bcast.append(False)
            elif rng.rand() < 0.25:
                shape.append(1)
                bcast.append(True)
            else:
                shape.append(r.shape[d])
                bcast.append(r.shape[d] == 1 and (r.bcast[d] or rng.rand() < 0.5))
        if all(bcast) and r.ndim and rng.rand() < 0.7 and ndim == r.ndim:
            shape[-1], bcast[-1] = r.shape[-1], r.bcast[-1]
        return tuple(shape), tuple(bcast)

    def python_scalar(self):
        rng = self.rng
        if self.grad:
            return float(rng.choice([0.5, 1.5, 2.0, -1.25, 3.0, 0.1]))
        choices = [2, -1, 3, 0.5, 1.5, -2.5, 0.1, 300, 100000, 7]
        return choices[rng.randint(len(choices))]

    def operand_like(self, r):
        rng = self.rng
        u = rng.rand()
        if u < 0.2:
            return ('scalar', self.python_scalar())
        if u < 0.5:
            def ok(o):
                return self.broadcast_ok(r, o)
            cand = self.pick(ok)
            if cand is not None:
                return cand
        shape, bcast = self.compatible_shape(r)
        if u < 0.6 and int(np.prod(shape)) <= 12:
            dtype = self.random_dtype()
            value = self.make_values(shape, dtype)
            if dtype in ref.FLOAT_DTYPES:
                value = np.nan_to_num(value)
            # no zeros: Theano's optimizer turns x * 0 into 0 and 0 / x into 0 even where
            # x is NaN, inf or 0
            value = np.where(value == 0, np.ones_like(value), value)
            return ('array', tuple(value.reshape(-1).tolist()), shape, dtype)
        return self.fresh_like(shape, bcast)

    @staticmethod
    def broadcast_ok(a, b):
        if b.ndim > a.ndim:
            a, b = b, a
        k = a.ndim - b.ndim
        for d in range(b.ndim):
            x, y = a.shape[k + d], b.shape[d]
            if x != y and not (a.bcast[k + d] or b.bcast[d]):
                return False
        return True

    # -- proposals --------------------------------------------------------------------------------
    def p_unary(self):
        a = self.pick()
        ops = ['neg', 'abs', 'exp', 'log', 'tanh', 'sqrt', 'floor', 'ceil']
        return (ops[self.rng.randint(len(ops))], a)

    def p_binary(self):
        a = self.pick()
        b = self.operand_like(self.ev(a))
        if self.rng.rand() < 0.3:
            a, b = b, a
        ops = ref.ARITH + ref.COMPARE
        w = np.array([3, 2, 3, 2, 1, 1, 1, 1.5, 1.5] + [0.6] * 6)
        op = ops[self.rng.choice(len(ops), p=w / w.sum())]
        if self.grad and op in ref.COMPARE:
            op = 'mul'
        return (op, a, b)

    def p_switch(self):
        c = self.pick(lambda r: r.dtype == 'bool', any_dtype=True) \
            if self.rng.rand() < 0.5 else None
        if c is None:
            a = self.pick()
            c = (ref.COMPARE[self.rng.randint(6)], a, self.operand_like(self.ev(a)))
        try:
            cr = self.ev(c)
        except (Invalid, RuntimeFailure, Unsafe):
            return None
        a = self.operand_like(cr)
        b = self.operand_like(cr)
        if a[0] == 'scalar' and b[0] == 'scalar':
            b = self.pick()
        return ('switch', c, a, b)

    def p_cast(self):
        a = self.pick()
        return ('cast', a, ALL_DTYPES[self.rng.randint(len(ALL_DTYPES))])

    def axis_choice(self, ndim):
        rng = self.rng
        u = rng.rand()
        if u < 0.25 or ndim == 0:
            return None
        if u < 0.75 or ndim == 1:
            d = int(rng.randint(ndim))
            return d - ndim if rng.rand() < 0.3 else d
        return tuple(int(d) for d in sorted(rng.choice(ndim, size=2, replace=False)))

    def p_reduce(self):
        a = self.pick(lambda r: r.ndim >= 1)
        if a is None:
            return None
        op = ref.REDUCTIONS[self.rng.choice(5, p=(0.35, 0.1, 0.2, 0.2, 0.15))]
        return (op, a, self.axis_choice(self.ev(a).ndim), bool(self.rng.rand() < 0.3))

    def p_dot(self):
        a = self.pick(lambda r: r.ndim in (1, 2) and r.dtype != 'bool')
        if a is None:
            return None
        ra = self.ev(a)
        n = ra.shape[-1]
        b = self.pick(lambda r: r.ndim in (1, 2) and r.shape[0] == n and r.dtype != 'bool')
        if b is None or self.rng.rand() < 0.5:
            ndim = self.rng.randint(1, 3)
            shape = (n,) + self.random_shape(ndim - 1)
            b = self.fresh_like(shape, dtype=self.random_dtype().replace('bool', 'int8'))
        return ('dot', a, b)

    def p_dimshuffle(self):
        a = self.pick()
        r = self.ev(a)
        dims = [d for d in range(r.ndim) if not (r.bcast[d] and self.rng.rand() < 0.5)]
        self.rng.shuffle(dims)
        pattern = list(dims)
        for _ in range(self.rng.randint(0, 3)):
            if len(pattern) < 4:
                pattern.insert(self.rng.randint(len(pattern) + 1), 'x')
        return ('dimshuffle', a, tuple(int(p) if p != 'x' else p for p in pattern))

    def p_reshape(self):
        a = self.pick(lambda r: r.ndim >= 1)
        if a is None:
            return None
        size = self.ev(a).value.size
        factors = [f for f in range(1, size + 1) if size % f == 0] if size else [0]
        ndim = self.rng.randint(1, 4)
        shape = []
        rest = size
        for _ in range(ndim - 1):
            choices = [f for f in factors if f and rest % f == 0] or [1]
            f = int(self.rng.choice(choices))
            shape.append(f)
            rest = rest // f if f else 0
        shape.append(rest)
        shape = [int(s) for s in self.rng.permutation(shape)]
        if size and self.rng.rand() < 0.3:
            shape[self.rng.randint(len(shape))] = -1
        return ('reshape', a, tuple(shape))

    def p_shape_expr(self):
        """A computed integer scalar, for symbolic indices."""
        a = self.pick(lambda r: r.ndim >= 1)
        if a is None:
            return None
        return ('shape_i', a, int(self.rng.randint(self.ev(a).ndim)))

    # indices
    def int_index(self, n, allow_symbolic=True):
        """An integer index into a dimension of length n (n > 0)."""
        rng = self.rng
        k = int(rng.randint(-n, n))
        u = rng.rand()
        if not allow_symbolic or u < 0.5:
            return k
        if u < 0.8:
            return self.index_scalar(k)
        # a computed index
        if rng.rand() < 0.5:
            return ('sub', self.index_scalar(k + 1), ('scalar', 1))
        return ('add', self.index_scalar(k - 2), ('scalar', 2))

    def slice_entry(self, n, allow_symbolic=True):
        rng = self.rng

        def bound():
            u = rng.rand()
            if u < 0.4:
                return None
            v = int(rng.randint(-n - 2, n + 3))
            if allow_symbolic and u > 0.85:
                return self.index_scalar(v)
            return v

        step = [None, None, 1, 2, -1, -2, 3][rng.randint(7)]
        if allow_symbolic and step is not None and rng.rand() < 0.1:
            step = self.index_scalar(step)
        return ('slice', bound(), bound(), step)

    def basic_index(self, r):
        rng = self.rng
        k = rng.randint(1, r.ndim + 1)
        idx = []
        for d in range(k):
            n = r.shape[d]
            if n > 0 and rng.rand() < 0.3:
                idx.append(self.int_index(n))
            elif rng.rand() < 0.15:
                idx.append(FULL)
            else:
                idx.append(self.slice_entry(n))
        return tuple(idx)

    def index_array(self, n, length=None, unique=False):
        rng = self.rng
        if length is None:
            length = int(rng.choice([0, 1, 2, 3, 4], p=(0.1, 0.25, 0.25, 0.25, 0.15)))
        if n == 0:
            length = 0
        if unique:
            length = min(length, n)
            vals = rng.permutation(n)[:length]
            vals = [int(v) - (n if rng.rand() < 0.3 else 0) for v in vals]
        else:
            vals = [int(v) for v in rng.randint(-n, n, size=length)] if n else []
        if length >= 1 and rng.rand() < 0.35:
            return ('list', tuple(vals))
        return self.index_vector(vals)

    def advanced_index(self, r, unique=False):
        rng = self.rng
        forms = ['take0']
        if r.ndim >= 2:
            forms += ['take1', 'pair', 'mixed']
        form = forms[rng.randint(len(forms))]
        if form == 'take0':
            return (self.index_array(r.shape[0], unique=unique),)
        if form == 'take1':
            return (FULL, self.index_array(r.shape[1], unique=unique))
        if form == 'pair':
            length = int(rng.choice([1, 2, 3]))
            first = self.index_array(r.shape[0], length, unique=unique)
            second = self.index_array(r.shape[1], length if rng.rand() < 0.8 else 1,
                                      unique=unique)
            return (first, second)
        # mixed: one array and a slice or an int
        arr_pos = rng.randint(2)
        other = self.slice_entry(r.shape[1 - arr_pos], allow_symbolic=False) \
            if rng.rand() < 0.6 or r.shape[1 - arr_pos] == 0 \
            else int(rng.randint(-r.shape[1 - arr_pos], r.shape[1 - arr_pos]))
        arr = self.index_array(r.shape[arr_pos], unique=unique)
        return (arr, other) if arr_pos == 0 else (other, arr)

    def p_getitem(self):
        a = self.pick(lambda r: r.ndim >= 1)
        if a is None:
            return None
        return ('getitem', a, self.basic_index(self.ev(a)))

    def p_advanced(self):
        a = self.pick(lambda r: r.ndim >= 1)
        if a is None:
            return None
        return ('getitem', a, self.advanced_index(self.ev(a)))

    def p_update(self):
        a = self.pick(lambda r: r.ndim >= 1 and r.dtype != 'bool')
        if a is None:
            return None
        r = self.ev(a)
        setting = self.rng.rand() < 0.5
        if self.rng.rand() < 0.55:
            idx = self.basic_index(r)
        else:
            idx = self.advanced_index(r, unique=setting)
        try:
            sub = self.ev(('getitem', a, idx))
        except (RuntimeFailure, Invalid, Unsafe):
            return None
        rng = self.rng
        drop = rng.randint(0, sub.ndim + 1) if rng.rand() < 0.3 else 0
        shape = list(sub.shape[drop:])
        bcast = [False] * len(shape)
        for d in range(len(shape)):
            if rng.rand() < 0.2:
                shape[d], bcast[d] = 1, True
            elif shape[d] == 1:
                bcast[d] = sub.bcast[drop + d] or rng.rand() < 0.5
        dtypes = [d for d in ALL_DTYPES if ref.upcast(d, r.dtype) == r.dtype]
        if self.grad:
            dtypes = ['float64']
        dtype = dtypes[rng.randint(len(dtypes))]
        if not shape and rng.rand() < 0.3:
            y = ('scalar', self.python_scalar())
            if ref.upcast(ref.autocast_dtype(y[1]), r.dtype) != r.dtype:
                y = self.fresh_like((), (), dtype)
        else:
            y = self.pick(lambda o: o.shape == tuple(shape) and o.bcast == tuple(bcast)
                          and ref.upcast(o.dtype, r.dtype) == r.dtype)
            if y is None or rng.rand() < 0.5:
                y = self.fresh_like(tuple(shape), tuple(bcast), dtype)
        return ('set_subtensor' if setting else 'inc_subtensor', a, idx, y)

    def p_join(self):
        a = self.pick(lambda r: r.ndim >= 1)
        if a is None:
            return None
        r = self.ev(a)
        rng = self.rng
        axis = int(rng.randint(-r.ndim, r.ndim))
        parts = [a]
        for _ in range(rng.randint(1, 3)):
            shape = list(r.shape)
            shape[axis] = int(rng.choice(self.lengths + [1]))
            parts.append(self.fresh_like(tuple(shape)))
        order = rng.permutation(len(parts))
        parts = tuple(parts[i] for i in order)
        if rng.rand() < 0.5:
            return ('join', axis, parts)
        return ('concatenate', parts, axis)

    def p_stack(self):
        a = self.pick()
        r = self.ev(a)
        rng = self.rng
        parts = [a]
        for _ in range(rng.randint(0, 3)):
            parts.append(self.fresh_like(r.shape))
        order = rng.permutation(len(parts))
        axis = int(rng.randint(-r.ndim - 1, r.ndim + 1))
        return ('stack', tuple(parts[i] for i in order), axis)

    PROPOSALS = (('p_unary', 10), ('p_binary', 24), ('p_switch', 5), ('p_cast', 4),
                 ('p_reduce', 10), ('p_dot', 5), ('p_dimshuffle', 6), ('p_reshape', 4),
                 ('p_getitem', 10), ('p_advanced', 7), ('p_update', 9), ('p_join', 5),
                 ('p_stack', 3))
    GRAD_SKIP = ('p_cast',)

    # -- errors -------------------------------------------------------------------------------------
    def p_error(self):
        """A node that makes the compiled function raise (IndexError or ValueError)."""
        rng = self.rng
        # (not a broadcastable dimension: Theano's optimizer may drop the index of those)
        # (nor an empty one: Theano does not check the indices of x[v] += y then)
        a = self.pick(lambda r: r.ndim >= 1 and r.value.size > 0 and not r.bcast[0])
        if a is None:
            return None
        r = self.ev(a)
        n = r.shape[0]
        bad = int(rng.choice([n, n + 2, -n - 1]))
        form = rng.randint(5)
        if form == 0:
            return ('getitem', a, (self.index_scalar(bad),))
        if form == 1:
            vals = [int(v) for v in rng.randint(-n, n, size=rng.randint(0, 3))]
            vals.insert(rng.randint(len(vals) + 1), bad)
            return ('getitem', a, (self.index_vector(vals),))
        if form == 2 and r.dtype != 'bool':
            return ('set_subtensor', a, (self.index_scalar(bad),),
                    self.fresh_like(r.shape[1:], r.bcast[1:], r.dtype))
        if form == 3 and r.dtype != 'bool':
            vals = [bad] + [int(v) for v in rng.randint(-n, n, size=rng.randint(0, 3))]
            return ('inc_subtensor', a, (self.index_vector(vals),),
                    ('scalar', 1) if r.dtype != 'uint8' else self.fresh_like((), (), 'uint8'))
        # elemwise with a non-broadcastable dimension of another length
        dims = [d for d in range(r.ndim) if not r.bcast[d]]
        if not dims:
            return None
        d = dims[rng.randint(len(dims))]
        shape = list(r.shape)
        shape[d] = 1 if shape[d] != 1 else 3
        bcast = [b if k != d else False for k, b in enumerate(r.bcast)]
        return ('add', a, self.fresh_like(tuple(shape), tuple(bcast)))

    # -- driver --------------------------------------------------------------------------------------
    def generate(self):
        rng = self.rng
        for _ in range(rng.randint(1, 3)):
            ndim = None
            if self.grad:
                ndim = rng.choice([1, 2, 2, 3])
            self.fresh_like(self.random_shape(ndim))
        names = [n for n, w in self.PROPOSALS if not (self.grad and n in self.GRAD_SKIP)]
        weights = np.array([w for n, w in self.PROPOSALS
                            if not (self.grad and n in self.GRAD_SKIP)], dtype=float)
        weights /= weights.sum()
        tries = 0
        while len(self.nodes) < self.steps and tries < 20 * self.steps:
            tries += 1
            name = names[rng.choice(len(names), p=weights)]
            saved = (list(self.order), list(self.pool))
            try:
                expr = getattr(self, name)()
                if expr is None:
                    raise Rejected('no candidate')
                self.accept(expr)
            except Rejected:
                self._restore(saved)
                continue
            self.nodes.append(expr)
            self.pool.append(expr)
        outputs = self.choose_outputs()
        if self.allow_errors and not self.grad and rng.rand() < 0.05:
            for _ in range(10):
                saved = (list(self.order), list(self.pool))
                try:
                    expr = self.p_error()
                    if expr is None:
                        raise Rejected('no candidate')
                    self.error = self.accept(expr, expect_error=True)
                except Rejected:
                    self._restore(saved)
                    continue
                outputs = [expr]
                break
        return self.case(outputs)

    def _restore(self, saved):
        order, pool = saved
        for name in self.order[len(order):]:
            del self.inputs[name]
            del self.values[name]
        self.order[:] = order
        self.pool[:] = pool
        for run in self.runs:  # drop memoized values that used removed inputs
            run.memo = {e: v for e, v in run.memo.items()
                        if all(n in self.inputs for n in input_names([e]))}

    def choose_outputs(self):
        if not self.nodes:
            return []
        used = set()
        for e in self.nodes:
            used.update(children(e))
        sinks = [e for e in self.nodes[:-1] if e not in used]
        outs = [self.nodes[-1]]
        self.rng.shuffle(sinks)
        outs += sinks[:self.rng.randint(0, 3)]
        return outs

    def case(self, outputs):
        used = set(input_names(outputs))
        inputs = tuple((n, self.inputs[n][0], self.inputs[n][1], self.inputs[n][2].shape)
                       for n in self.order if n in used)
        return {'seed': self.seed, 'kind': self.kind, 'inputs': inputs,
                'values': {n: self.values[n] for n, _, _, _ in inputs},
                'outputs': tuple(outputs), 'error': self.error}


def generate(seed, kind='forward', **kwargs):
    return Generator(seed, kind, **kwargs).generate()


# ---------------------------------------------------------------------------------------
# Plain JSON form (for the goldens)
# ---------------------------------------------------------------------------------------

def to_plain(obj):
    """Tuples -> lists (JSON); arrays -> {'dtype', 'shape', 'data'}."""
    if isinstance(obj, np.ndarray):
        return {'dtype': obj.dtype.name, 'shape': list(obj.shape),
                'data': obj.reshape(-1).tolist()}
    if isinstance(obj, (tuple, list)):
        return [to_plain(o) for o in obj]
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    return obj


def from_plain_array(d):
    return np.asarray(d['data'], dtype=d['dtype']).reshape(d['shape'])


def to_tuples(obj):
    if isinstance(obj, list):
        return tuple(to_tuples(o) for o in obj)
    return obj


def case_from_plain(d):
    return {'seed': d['seed'], 'kind': d['kind'],
            'inputs': tuple((n, dt, tuple(bc), tuple(sh)) for n, dt, bc, sh in d['inputs']),
            'values': {k: from_plain_array(v) for k, v in d['values'].items()},
            'outputs': to_tuples(d['outputs']), 'error': d.get('error')}


def expected_from_theano(case, result):
    """Reference runs whose exact values are Theano's recorded ones (``result`` from
    make_random_graph_goldens.py) and whose perturbed runs are the numpy reference's, for
    the tolerances. None for a case whose call raises."""
    if 'raises' in result or 'build_raises' in result:
        return None
    runs = reference_runs(case)
    exact = [ref.Ref(from_plain_array(t['value']), t['broadcastable']) for t in result['types']]
    return [exact] + runs[1:]


def check_reference_against_theano(case, result):
    """Problems where the numpy reference disagrees with Theano's recorded result."""
    if 'build_raises' in result:
        return ['Theano refused to build the graph: %s: %s'
                % (result['build_raises'], result['message'])]
    try:
        runs = reference_runs(case)
    except RuntimeFailure as err:
        if result.get('raises') != err.kind:
            return ['reference raises %s, Theano %s' % (err.kind, result.get('raises'))]
        return []
    except (Invalid, Unsafe) as err:
        return ['the reference refuses the graph (never generated now): %s' % err]
    if 'raises' in result:
        return ['Theano raises %s: %s; the reference does not'
                % (result['raises'], result['message'])]
    problems = []
    for k, t in enumerate(result['types']):
        r = runs[0][k]
        if r.dtype != t['dtype'] or list(r.bcast) != t['broadcastable']:
            problems.append('output %d: reference type %s %s, Theano %s %s'
                            % (k, r.dtype, r.bcast, t['dtype'], tuple(t['broadcastable'])))
        msg = compare_value(from_plain_array(t['value']), r.value, [p[k].value for p in runs[1:]])
        if msg:
            problems.append('output %d: Theano vs reference: %s' % (k, msg))
    return problems


if __name__ == '__main__':
    # python tests/random_graphs.py [--grad] SEED ...: print the reproducer of each graph
    import sys
    kind = 'grad' if '--grad' in sys.argv else 'forward'
    for arg in sys.argv[1:]:
        if arg != '--grad':
            print(describe(generate(int(arg), kind)))
