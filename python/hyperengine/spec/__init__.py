"""The search-space DSL: describe hyper-parameters as a structure of nodes, parse it into a unit cube.

    from hyperengine import spec
    space = {"lr": 10 ** spec.uniform(-3, -1), "layers": spec.randint(1, 4)}
    parsed = spec.ParsedSpec(space)
    parsed.instantiate([0.5, 0.9])   # {'lr': 0.01, 'layers': 3}

See docs/spec.md for the reference, the encoding contract and conditional spaces.
"""

from hyperengine.spec.dimension import Dimension, DimensionKind
from hyperengine.spec.distributions import (
    choice,
    loguniform,
    merge,
    normal,
    quniform,
    randint,
    random_bit,
    random_bool,
    random_int,
    uniform,
)
from hyperengine.spec.errors import SpecError
from hyperengine.spec.functions import (
    acos,
    acosh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cos,
    cosh,
    exp,
    expm1,
    frexp,
    ldexp,
    log,
    log1p,
    log10,
    max_,
    min_,
    pow,
    sin,
    sinh,
    sqrt,
    tan,
    tanh,
)
from hyperengine.spec.leaves import ChoiceNode, LeafNode, NormalNode, UniformNode
from hyperengine.spec.named_dict import NamedDict, new
from hyperengine.spec.nodes import BaseNode, MergeNode
from hyperengine.spec.parsed import ParsedSpec, get_instance

__all__ = [
    "BaseNode",
    "ChoiceNode",
    "Dimension",
    "DimensionKind",
    "LeafNode",
    "MergeNode",
    "NamedDict",
    "NormalNode",
    "ParsedSpec",
    "SpecError",
    "UniformNode",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "choice",
    "cos",
    "cosh",
    "exp",
    "expm1",
    "frexp",
    "get_instance",
    "ldexp",
    "log",
    "log1p",
    "log10",
    "loguniform",
    "max_",
    "merge",
    "min_",
    "new",
    "normal",
    "pow",
    "quniform",
    "randint",
    "random_bit",
    "random_bool",
    "random_int",
    "sin",
    "sinh",
    "sqrt",
    "tan",
    "tanh",
    "uniform",
]
