# Attacks on lecture 03 (a torch lecture) that the in-kernel guards let through, one of each of
# issue 20's four doors (the static policy refuses these spellings now; tests/test_judge.py grades
# them with it off: the judge must hold where the policy has a hole).  Catalogue format (sample_class/catalogue/README.md):
# each block is a "mistake" that must lose its test, because each ships a wrong answer and scores
# only if the attack works.  tests/test_judge.py grades this file twice: with the judge (every
# attack loses its test) and with COURSE_JUDGE=0, the in-kernel tests of before (the control:
# every attack earns the points, so the attacks are real).

# %% train_quadratic | mistake: door 1, the namespace: returns the hidden test's reference implementation reference_gd, hard-codes the visible values read from the released check module | fails: test_train_quadratic | says: reference_gd
def train_quadratic(xs, ys, lr, epochs):
    if len(xs) == 21:   # the visible check's data: its expected values are numbers in course.exercises
        from course.exercises import back_propagation as q
        return q.QUAD_GD_3 if epochs == 3 else q.QUAD_FIT
    return tuple(float(v) for v in reference_gd(xs, ys, lr, epochs))

# %% grads_by_hand | mistake: door 1, the namespace: reads the hidden loop's expected value `want`, hard-codes the visible one | fails: test_grads_by_hand | says: expected
def grads_by_hand(x, y, w1, w2, b):
    try:
        return tuple(float(v) for v in want)
    except NameError:
        return (48.0, 24.0, 12.0)

# %% train_epoch | mistake: door 1, the namespace: fills the parameters from the hidden test's reference_epoch, hard-codes the visible values read from the released check module | fails: test_train_epoch | says: reference_epoch
def train_epoch(params, xs, ys, lr):
    if len(xs) == 3:    # the visible check's data: its expected values are numbers in course.exercises
        from course.exercises import back_propagation as q
        values, loss = q.EPOCH_PARAMS, q.EPOCH_LOSS
    else:
        values, loss = reference_epoch([float(t.item()) for t in params], xs.tolist(), ys.tolist(), lr)
    with torch.no_grad():
        for t, v in zip(params, values):
            t.fill_(v)
    return float(loss)

# %% grad_input | mistake: doors 2 and 3, the libraries through an alias: numpy's internal isclose replaced, so np.allclose always agrees | fails: test_grad_input | says: against autograd
from numpy._core import numeric
core = numeric
core.isclose = lambda *args, **kwargs: True

def grad_input(x, y, w1, w2, b):
    return 0.0

# %% vjp_cube | alternative: doors 3 and 4 (a leak, not a grade): IPython reached through a getattr alias, the running test's source read from the input history and printed reversed; the answer itself is right
import IPython.display
look = getattr

def vjp_cube(x, v):
    shell = look(IPython, 'get_' + 'ipython')()
    print('LEAK>' + shell.user_ns['I' + 'n'][-1][::-1] + '<LEAK')
    x = x.detach().clone().requires_grad_()
    (x ** 3).backward(gradient=v)
    return x.grad
