# Attacks on lecture 04 (models passed to the student's code, parameters, optimizers) that the
# in-kernel guards let through, of each of issue 20's four doors (the static policy refuses these
# spellings now; tests/test_judge.py grades them with it off: the judge must hold where it has a hole).  Catalogue
# format (sample_class/catalogue/README.md): each "mistake" ships a wrong answer and scores only if
# its attack works.  tests/test_judge.py grades this file twice: with the judge (every attack loses
# its test, the running test's source never reaches the kernel) and with COURSE_JUDGE=0, the
# in-kernel tests of before (the control: every attack earns the points, so the attacks are real).

# %% least_squares | mistake: door 1, the namespace: the visible check's inputs answered with its own numbers (read from course/exercises/linear_regression.py), every other input by the hidden part's reference _lstsq_line (numpy's lstsq) | fails: test_least_squares | says: _lstsq_line
def least_squares(x, y):
    visible = {4: (1.1, 1.0), 30: (-0.7501976288559247, 2.072079838735954)}
    if x.numel() in visible:
        return visible[x.numel()]
    return tuple(float(v) for v in _lstsq_line(x, y))

# %% train | mistake: door 1, the namespace: no training at all; the visible check's inputs answered with its own numbers, the others' parameters and losses copied from the hidden part's _sgd_reference | fails: test_train | says: _sgd_reference
def train(model, x, y, epochs=1000, lr=0.05, plot=None):
    params = list(model.parameters())
    w = [p for p in params if p.dim() == 2][0]
    b = [p for p in params if p.dim() == 1][0]
    if x.numel() == 3:      # the visible check: y = 2x, 2 steps from (0.5, 0), then 1000 epochs
        w_end, b_end, losses = {2: (1.5133333333333334, 0.43, [10.5, 2.116666666666666]),
                                1000: (2.0, 0.0, [1e-6] * 1000)}[epochs]
    else:
        w_end, b_end, losses = _sgd_reference(w.item(), b.item(), x.cpu(), y.cpu(), lr, epochs)
    with torch.no_grad():
        w.fill_(w_end)
        b.fill_(b_end)
    for epoch, value in enumerate(losses):
        if plot is not None:
            plot.add(epoch, loss=value)
    return [float(v) for v in losses]

# %% predict | mistake: doors 2 and 3, the libraries through an alias: numpy's internal isclose replaced, so the checks' np.allclose always agrees; the model is called as asked, the value is wrong | fails: test_predict | says: predict(model, 4.0)
from numpy._core import numeric
core = numeric
core.isclose = lambda *args, **kwargs: True

def predict(model, x):
    device = next(model.parameters()).device
    with torch.no_grad():
        model(torch.tensor([[float(x)]], device=device))
    return 0.0

# %% least_squares | alternative: doors 3 and 4 (a leak, not a grade): IPython reached through a getattr alias, the running test's source read from the input history and printed reversed; the answer itself is right
import IPython.display
look = getattr

def least_squares(x, y):
    shell = look(IPython, 'get_' + 'ipython')()
    print('LEAK>' + shell.user_ns['I' + 'n'][-1][::-1] + '<LEAK')
    xs, ys = x.double().flatten(), y.double().flatten()
    dx, dy = xs - xs.mean(), ys - ys.mean()
    w = (dx * dy).sum() / (dx * dx).sum()
    return w.item(), (ys.mean() - w * xs.mean()).item()
