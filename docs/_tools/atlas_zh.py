"""The op atlas's module summaries in 简体中文 (the English ones are each module's first docstring
line). A module missing here shows its English line on the Chinese atlas; add it here with it."""

from __future__ import annotations

SUMMARIES: dict[str, str] = {
    "ops/activation":
        "relu/sigmoid/tanh 之外的 nn 激活函数：leaky_relu、gelu、silu，以及 gelu 用到的 erf。",
    "ops/arithmetic": "两个输入的算术算子及其导数：add、sub、mul、div、pow、max/min。",
    "ops/conv": "二维卷积：三个互为导数的 Function。",
    "ops/conversion": "转换：改变张量的 dtype 或设备（一次拷贝，浮点类型可微）。",
    "ops/cross_entropy": "用于分类的交叉熵与负对数似然。",
    "ops/dropout": "Dropout：训练时以概率 p 把每个元素（或整个通道）置零。",
    "ops/embedding": "Embedding：按整数下标查出权重表中的行。",
    "ops/indexing": "索引：x[key] 与 x[key] = value，以及 gather / scatter_add / index_select。",
    "ops/linear": "nn.Linear 的仿射变换融合为一个算子：矩阵乘法加偏置，只占计算图的一个节点。",
    "ops/losses": "损失函数：用一个数说明预测错得多离谱；它的梯度说明该怎样改。",
    "ops/matmul": "矩阵乘积：matmul（遵循 PyTorch 的一维与批量广播规则）、mm、bmm、outer、dot。",
    "ops/movement": "移动类算子：改变元素的排列方式，不改变它们的值。",
    "ops/normalization": "批归一化与层归一化：把激活标准化，再缩放和平移。",
    "ops/pooling": "池化：max_pool2d、avg_pool2d 和 adaptive_avg_pool2d，以及它们的反向传播。",
    "ops/reduce": "归约算子及其导数。",
    "ops/selection": "比较与选择：==、<、逻辑运算（结果为 bool，没有梯度）、where、clamp。",
    "ops/softmax": "沿一个维度的 softmax 与 log-softmax，前向各是一个融合原语。",
    "ops/unary": "一元逐元素算子及其导数：y = f(x)，一次一个元素。",
    "kernels/elementwise": "逐元素原语：每个输出元素由各输入在同一下标处的元素算出。",
    "kernels/reduce": "归约原语：许多输入元素合并成一个输出元素。",
    "kernels/matmul": "矩阵乘法：神经网络中承担大部分算术运算的原语。",
    "kernels/softmax": "沿一个维度的融合 softmax 与 log-softmax，数值稳定。",
    "kernels/copy": "内存原语：分配、填充、在主机与设备之间搬运，以及按视图拷贝。",
    "kernels/index": "索引原语：在整数张量给出的位置读取或写入元素。",
    "kernels/random": "随机数原语，基于计数器：相同的 (seed, offset) 总是得到相同的数。",
    "kernels/optim": "优化器步骤原语：每次调用对一个参数及其状态做一次融合的原地更新。",
    "kernels/conv": "二维卷积及其两个反向乘积，各自转化为一次大的矩阵乘法。",
    "kernels/pool": "二维最大池化与平均池化，以及它们的反向传播。",
    "kernels/cross_entropy":
        "针对类别下标的 logits 交叉熵，融合实现：log_softmax 与 nll 在同一个按行的计算核中。",
    "kernels/dropout": "一遍完成的融合 dropout：由计数器生成保留掩码并直接应用，从不存储它。",
    "kernels/normalization": "批归一化与层归一化的前向与反向：每个程序处理一组元素。",
}
