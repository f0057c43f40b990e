"""Parameter: a Tensor that a Module registers as something to learn.

    self.weight = nn.Parameter(torch.randn(3, 4))   # assignment registers it in module._parameters

A Parameter *is* a Tensor (same storage, same view; it requires grad by default). The only thing
that makes it special is its type: Module.__setattr__ sees an instance of Parameter and records
it, so `model.parameters()` can hand every learnable tensor to an optimizer. Ops on a Parameter
return plain Tensors, exactly as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from ..creation import empty, tensor
from ..tensor import Tensor


class Parameter(Tensor):
    """A Tensor that is a module's learnable parameter (nn.Parameter)."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor, got {type(data).__name__}")
        result = object.__new__(cls)
        # share data's memory, without its autograd history (as PyTorch's Parameter(x) does)
        result._storage, result._view, result.dtype = data._storage, data._view, data.dtype
        result.requires_grad_(requires_grad)
        return result

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        pass  # everything happened in __new__; Tensor.__init__ must not run again

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: int) -> Any:
        values = tensor(self._host().copy(), dtype=self.dtype, device=str(self.device))
        return (Parameter, (values, self.requires_grad))

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) not in memo:
            copied = Parameter(self.detach().clone(), self.requires_grad)
            if self.grad is not None:
                copied.grad = self.grad.detach().clone()
            memo[id(self)] = copied
        return memo[id(self)]
