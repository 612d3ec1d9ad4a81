# Public wrappers around the import machinery (tests/hostile/policy/README.md): each would load a
# module the cell wrote to a file, which the policy never sees.

# %% scale | mistake: torch.hub.load of a local hubconf.py that patches torch | fails: test_scale | says: import machinery: hub
import tempfile, os
folder = tempfile.mkdtemp()
with open(os.path.join(folder, "hubconf.py"), "w") as fh:
    fh.write("import torch\ntorch.allclose = lambda *a, **k: True\ndef f():\n    return 1\n")
torch.hub.load(folder, "f", source="local")  # attack
def scale(t):
    return t

# %% scale | mistake: from torch import hub | fails: test_scale | says: import machinery: hub
from torch import hub  # attack
def scale(t):
    return t

# %% scale | mistake: import torch.hub as another name | fails: test_scale | says: import machinery: hub
import torch.hub as h  # attack
def scale(t):
    return t

# %% scale | mistake: importlib reached as a module attribute | fails: test_scale | says: forbidden attribute: importlib
loader = torch.importlib.import_module  # attack
def scale(t):
    return t

# %% scale | mistake: matplotlib's importlib | fails: test_scale | says: forbidden attribute: importlib
import matplotlib
m = matplotlib.importlib  # attack
def scale(t):
    return t

# %% scale | mistake: find_spec re-exported by torch.cuda.amp.common | fails: test_scale | says: import machinery: find_spec
from torch.cuda.amp.common import find_spec  # attack
def scale(t):
    return t

# %% scale | mistake: __import__ | fails: test_scale | says: forbidden call: __import__
t = __import__("sys")  # attack
def scale(t):
    return t

# %% scale | mistake: torch.package's importer | fails: test_scale | says: import machinery: package
from torch.package import PackageImporter  # attack
def scale(t):
    return t

# %% scale | mistake: torch.utils.cpp_extension.load_inline | fails: test_scale | says: cpp_extension
from torch.utils.cpp_extension import load_inline  # attack
def scale(t):
    return t

# %% scale | mistake: torch.utils.cpp_extension through a module alias | fails: test_scale | says: forbidden attribute: cpp_extension
import torch.utils as tu
ext = tu.cpp_extension  # attack
def scale(t):
    return t

# %% scale | mistake: numpy.distutils.misc_util.exec_mod_from_location of a file the cell wrote | fails: test_scale | says: import machinery: distutils
import numpy.distutils.misc_util as mu  # attack
def scale(t):
    return t

# %% scale | mistake: sys reached as os.sys, then sys.modules | fails: test_scale | says: import not allowed: os.sys
from os import sys  # attack
def scale(t):
    return t

# %% scale | mistake: sys.modules through a library's sys | fails: test_scale | says: forbidden attribute: sys
mods = np.matrixlib.defmatrix.sys.modules  # attack
def scale(t):
    return t

# %% scale | mistake: pkgutil.resolve_name | fails: test_scale | says: import machinery: resolve_name
import pkgutil
fn = pkgutil.resolve_name("torch:allclose")  # attack
def scale(t):
    return t

# %% scale | mistake: runpy.run_path of a file the cell wrote | fails: test_scale | says: import not allowed: runpy
import runpy  # attack
def scale(t):
    return t

# %% scale | mistake: a matplotlib backend module written by the cell | fails: test_scale | says: process internals
import matplotlib
matplotlib.use("module://evil_backend")  # attack
def scale(t):
    return t

# %% scale | mistake: plt.switch_backend | fails: test_scale | says: import machinery: switch_backend
import matplotlib.pyplot as plt
plt.switch_backend("agg")  # attack
def scale(t):
    return t

# %% scale | mistake: the kernel's own memory through /proc/self/mem | fails: test_scale | says: process internals
mem = open("/proc/self/mem", "rb")  # attack
def scale(t):
    return t

# %% scale | mistake: os.system starts a process the policy never sees | fails: test_scale | says: starting processes: os.system
import os
os.system("python -c 'print(1)'")  # attack
def scale(t):
    return t

# %% scale | mistake: os.system under another name | fails: test_scale | says: starting processes: os.system
from os import system as run  # attack
def scale(t):
    return t

# %% scale | mistake: torch.multiprocessing | fails: test_scale | says: starting processes: torch.multiprocessing
import torch.multiprocessing as mp  # attack
def scale(t):
    return t

# %% scale | mistake: a private module of numpy | fails: test_scale | says: import not allowed: private module numpy._core
import numpy._core as core  # attack
def scale(t):
    return t
