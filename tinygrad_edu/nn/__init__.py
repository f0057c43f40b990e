"""tinygrad_edu.nn: layers, losses and the Module system (import tinygrad_edu.nn as nn).

    module.py        Module: parameters, buffers, submodules, state_dict, hooks, train/eval, to()
    parameter.py     Parameter: a Tensor that a Module learns
    linear.py conv.py pooling.py dropout.py normalization.py embedding.py activation.py
    flatten.py container.py loss.py            the layers, each a thin shell around functional
    functional.py    the stateless functions (F.relu, F.conv2d, F.cross_entropy, ...)
    init.py          weight initialisation (kaiming_uniform_, xavier_normal_, ...)
    utils/           clip_grad_norm_, clip_grad_value_; rnn (pad / pack sequences)
    rnn.py           RNN, LSTM, GRU and their cells
    transformer.py   MultiheadAttention, Transformer(Encoder|Decoder)(Layer)
"""

from . import functional, init, utils
from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv2d
from .dropout import Dropout, Dropout2d
from .embedding import Embedding
from .flatten import Flatten, Unflatten
from .fold import Fold, Unfold
from .linear import Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .parameter import Parameter
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

__all__ = [
    "GELU", "AdaptiveAvgPool2d", "AvgPool2d", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d",
    "BatchNorm2d", "Conv2d", "CrossEntropyLoss", "Dropout", "Dropout2d", "Embedding", "Flatten",
    "Identity", "L1Loss", "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "MaxPool2d",
    "Module", "ModuleDict", "ModuleList", "NLLLoss", "Parameter", "ReLU", "Sequential", "SiLU",
    "Sigmoid", "Softmax", "Tanh", "Unflatten", "functional", "init", "utils",
    "HuberLoss", "SmoothL1Loss",  # robust regression losses (DQN example)
    # layout and the convolution family (issue 10, second half)
    "Fold", "Unfold",
]

# --- op breadth, part A (issue 10): the activation zoo --------------------------------------------
from .activation_family import (  # noqa: E402
    CELU,
    ELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PReLU,
    ReLU6,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)

__all__ += [
    "CELU", "ELU", "GLU", "SELU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh",
    "LogSigmoid", "Mish", "PReLU", "ReLU6", "Softmin", "Softplus", "Softshrink", "Softsign",
    "Tanhshrink", "Threshold",
]

# sequence models (rnn.py)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase  # noqa: E402
from .transformer import (  # noqa: E402
    MultiheadAttention,
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ += ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "RNNBase", "RNNCell", "RNNCellBase",
            "MultiheadAttention", "Transformer", "TransformerDecoder", "TransformerDecoderLayer",
            "TransformerEncoder", "TransformerEncoderLayer"]
