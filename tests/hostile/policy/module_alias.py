# Assignment to a library module through a local alias (tests/hostile/policy/README.md).

# %% scale | mistake: a module bound to another name, then its function replaced | fails: test_scale | says: assignment to an imported module's attribute: t_ is torch
t_ = torch
t_.allclose = lambda *args, **kwargs: True  # attack
def scale(t):
    return t

# %% mean | mistake: numpy.testing through an alias | fails: test_mean, test_scale | says: assignment to an imported module's attribute: nt is numpy.testing
nt = np.testing
nt.assert_allclose = lambda *args, **kwargs: None  # attack
def mean(xs):
    return 0

# %% mean | mistake: numpy's internal isclose replaced through from numpy._core import numeric | fails: test_mean, test_scale | says: import not allowed: private module numpy._core
from numpy._core import numeric  # attack
core = numeric
core.isclose = lambda *args, **kwargs: True
def mean(xs):
    return 0

# %% mean | mistake: import numpy._core.numeric as n | fails: test_mean, test_scale | says: import not allowed: private module numpy._core
import numpy._core.numeric as n  # attack
n.isclose = lambda *args, **kwargs: True
def mean(xs):
    return 0

# %% scale | mistake: a module alias through tuple unpacking | fails: test_scale | says: assignment to an imported module's attribute: a is torch
a, b = torch, 1
a.allclose = lambda *args, **kwargs: True  # attack
def scale(t):
    return t

# %% scale | mistake: a module alias through a loop | fails: test_scale | says: assignment to an imported module's attribute: m is torch
for m in [torch]:
    m.allclose = lambda *args, **kwargs: True  # attack
def scale(t):
    return t

# %% scale | mistake: a module as a default argument | fails: test_scale | says: assignment to an imported module's attribute: lib is torch
def patch(lib=torch):
    lib.allclose = lambda *args, **kwargs: True  # attack
patch()
def scale(t):
    return t

# %% scale | mistake: a module handed to the cell's own function | fails: test_scale | says: assignment to an imported module's attribute: lib is torch
def patch(lib):
    lib.allclose = lambda *args, **kwargs: True  # attack
patch(torch)
def scale(t):
    return t

# %% scale | mistake: a module handed to the cell's own function through map | fails: test_scale | says: assignment to an imported module's attribute: lib is torch
def patch(lib):
    lib.allclose = lambda *args, **kwargs: True  # attack
list(map(patch, [torch]))
def scale(t):
    return t

# %% scale | mistake: a module returned by the cell's own function | fails: test_scale | says: assignment to an imported module's attribute: lib is torch
def get():
    return torch
lib = get()
lib.allclose = lambda *args, **kwargs: True  # attack
def scale(t):
    return t

# %% scale | mistake: a module through the walrus operator | fails: test_scale | says: assignment to an imported module's attribute: (m := torch) is torch
(m := torch).allclose = lambda *args, **kwargs: True  # attack
def scale(t):
    return t

# %% scale | mistake: a module through getattr with a constant name | fails: test_scale | says: assignment to an imported module's attribute: getattr(torch, 'nn') is torch.nn
getattr(torch, "nn").functional = None  # attack
def scale(t):
    return t

# %% scale | mistake: setattr on an alias | fails: test_scale | says: forbidden call: setattr
m = torch
setattr(m, "allclose", lambda *args, **kwargs: True)  # attack
def scale(t):
    return t

# %% scale | mistake: the alias's __dict__ | fails: test_scale | says: dunder access
m = torch
m.__dict__["allclose"] = lambda *args, **kwargs: True  # attack
def scale(t):
    return t

# %% scale | mistake: a module kept in a dict, patched through it | fails: test_scale | says: assignment to an imported module's attribute: libs is torch
libs = {"t": torch}
libs["t"].allclose = lambda *args, **kwargs: True  # attack
def scale(t):
    return t

# %% mean | mistake: math reached through the alias of a function's module | fails: test_mean, test_scale | says: assignment to an imported module's attribute: m is math
m = math
m.isclose = lambda *args, **kwargs: True  # attack
def mean(xs):
    return 0
