"""The training loop behind `tinygrad-edu train`: models, data, epochs, and what a run leaves.

models.py   the classic MNIST ConvNet, an MLP, and a ConvNet for 3x32x32 CIFAR-10 images
data.py     the datasets the CLI knows, with their transforms
loop.py     train_one_epoch / evaluate: zero_grad, forward, loss, backward, step; accuracy
outputs.py  the loss/accuracy plot (PNG) and the checkpoint, both written atomically
"""
