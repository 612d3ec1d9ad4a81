# Metaclass calls (tests/hostile/policy/README.md).

# %% scale | mistake: a metaclass derived from type | fails: test_scale | says: metaclass: a class derived from builtins.type
class Meta(type):  # attack
    pass
def scale(t):
    return t

# %% scale | mistake: a metaclass derived from an alias of type | fails: test_scale | says: metaclass: a class derived from builtins.type
base = type
class Meta(base):  # attack
    pass
def scale(t):
    return t

# %% scale | mistake: metaclass= keyword | fails: test_scale | says: metaclass: class keyword metaclass=
import abc
class Agree(torch.Tensor, metaclass=abc.ABCMeta):  # attack
    pass
def scale(t):
    return t

# %% scale | mistake: a class derived from abc.ABCMeta | fails: test_scale | says: metaclass: a class derived from abc.ABCMeta
import abc
class Meta(abc.ABCMeta):  # attack
    pass
def scale(t):
    return t

# %% scale | mistake: a class keyword for __init_subclass__ | fails: test_scale | says: metaclass: class keyword
class Agree(torch.Tensor, patch=True):  # attack
    pass
def scale(t):
    return t

# %% scale | mistake: __init_subclass__ that patches torch when a subclass is made | fails: test_scale | says: defining a special method: __init_subclass__
class Base:
    def __init_subclass__(cls, **kwargs):  # attack
        torch.allclose = lambda *a, **k: True
def scale(t):
    return t

# %% scale | mistake: type.__call__ | fails: test_scale | says: dunder access
make = type.__call__  # attack
def scale(t):
    return t

# %% scale | mistake: type(x)(name, bases, namespace) | fails: test_scale | says: creating a class with type()
Agree = type(torch.Tensor)("Agree", (torch.Tensor,), {})  # attack
def scale(t):
    return t

# %% scale | mistake: a class derived from type(...) of an object | fails: test_scale | says: metaclass: a class derived from type(...)
class Meta(type(torch.Tensor)):  # attack
    pass
def scale(t):
    return t
