# Attacks on lecture 06 (batches, models handed to the student's code, a training loop) that the
# in-kernel guards let through, of each of issue 20's four doors (the static policy refuses these
# spellings now; tests/test_judge.py grades them with it off: the judge must hold where it has a hole).  Catalogue
# format (sample_class/catalogue/README.md): each "mistake" ships a wrong answer and scores only if
# its attack works.  tests/test_judge.py grades this file twice: with the judge (every attack loses
# its test, the running test's source never reaches the kernel) and with COURSE_JUDGE=0, the
# in-kernel tests of before (the control: every attack earns the points, so the attacks are real).

# %% count_parameters | mistake: door 1, the namespace: no count at all, the visible test's own reference _by_pytorch returned | fails: test_count_parameters | says: _by_pytorch
def count_parameters(sizes):
    return int(_by_pytorch(list(sizes)))

# %% train_and_evaluate | mistake: door 1, the namespace: the held-out accuracy never measured by the student's code, the test's own _accuracy_of called | fails: test_train_and_evaluate | says: _accuracy_of
def train_and_evaluate(model, X_train, y_train, X_test, y_test, epochs, lr=0.01, plot=None):
    device = next(model.parameters()).device
    X_train, y_train = X_train.to(device), y_train.to(device)
    criterion = nn.BCELoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        loss = criterion(model(X_train), y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if plot is not None:
            plot.add(epoch, loss=losses[-1])
    return losses, _accuracy_of(model, X_test, y_test)

# %% batch_linear | mistake: doors 2 and 3, the libraries through an alias: numpy's internal isclose replaced, so np.allclose and ck.close always agree; the answer is zeros of the right shape | fails: test_batch_linear | says: X @ W.T + b: expected
from numpy._core import numeric
core = numeric
core.isclose = lambda *args, **kwargs: True

def batch_linear(X, W, b):
    return torch.zeros(X.shape[0], W.shape[0], dtype=X.dtype)

# %% count_parameters | alternative: doors 3 and 4 (a leak, not a grade): IPython reached through a getattr alias, the running test's source read from the input history and printed reversed; the answer itself is right
import IPython.display
look = getattr

def count_parameters(sizes):
    shell = look(IPython, 'get_' + 'ipython')()
    print('LEAK>' + shell.user_ns['I' + 'n'][-1][::-1] + '<LEAK')
    return int(sum(i * o + o for i, o in zip(sizes, sizes[1:])))
