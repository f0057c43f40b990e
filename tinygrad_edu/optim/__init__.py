"""Optimizers: how parameters learn from their gradients (torch.optim).

    import tinygrad_edu.optim as optim
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

optimizer.py  the base class: param groups, state, zero_grad, state_dict / load_state_dict
sgd.py        SGD (momentum, dampening, weight decay, Nesterov)
adam.py       Adam and AdamW (bias-corrected moment estimates; coupled vs decoupled weight decay)
rmsprop.py    RMSprop, Adagrad, Adadelta (per-coordinate step sizes from gradient sizes)
adam_family.py  Adamax, NAdam, RAdam (variations on Adam)
lr_scheduler.py  StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR
"""

from . import lr_scheduler
from .adam import Adam, AdamW
from .adam_family import Adamax, NAdam, RAdam
from .optimizer import Optimizer
from .rmsprop import Adadelta, Adagrad, RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "lr_scheduler",
           "Adadelta", "Adagrad", "Adamax", "NAdam", "RAdam", "RMSprop"]
