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
    # the op families and primitives added since (complex, attention, sort/scan, layout, ...)
    "ops/activation_family": "nn.functional 中的各种激活函数，写成你已经认识的算子的组合。",
    "ops/attention": "缩放点积注意力：每个查询（query）看所有的键（key），把值（value）加权混合。",
    "ops/bitwise": "整数（与 bool）张量上的位运算：&、|、^、~、<<、>>。",
    "ops/complex": "复数张量：由实部构造、拆成实部与虚部，以及它们的导数。",
    "ops/cumulative":
        "累积算子：cumsum、cumprod、cummax、cummin、logcumsumexp（底层是 kernels/scan.py）。",
    "ops/layout": "布局算子：三角、对角线、滚动、旋转、滑动窗口（im2col）与网格。",
    "ops/math_functions": "exp/log/sin 之外的数学函数：反三角、双曲、log2/exp2、atan2 等。",
    "ops/recurrent": "循环单元：RNN、LSTM 与 GRU 的一个时间步，作为可微算子。",
    "ops/sorting":
        "排序与选择：sort、argsort、topk、kthvalue、median、mode、unique、searchsorted。",
    "kernels/recurrent": "LSTM 或 GRU 一个时间步的门运算，融合为一遍逐元素计算（及其反向）。",
    "kernels/attention":
        "不生成 n x n 矩阵的注意力：FlashAttention 的在线 softmax，前向与反向。",
    "kernels/complex": "平铺缓冲区中的复数：交错存放的（实部，虚部）对，以及它们的原语路径。",
    "kernels/fft": "FFT 原语：对一个复数 (B, N) 视图的每一行做离散傅里叶变换。",
    "kernels/scan": "扫描原语：沿一个维度的累加和、累乘积、累计最大值与 log-sum-exp。",
    "kernels/sort": "排序原语：把沿一个维度的每一行排好序，并记下每个值原来的位置。",
    "kernels/eigen":
        "对称矩阵的特征分解：一个原语，逐个矩阵做循环 Jacobi 旋转。",
    "kernels/linalg":
        "线性方程组：一个原语，逐个矩阵做带部分选主元的 Gauss-Jordan 消元。",
    "kernels/optim_family":
        "更多优化器更新原语：RMSprop、Adagrad、Adadelta、Adamax、NAdam、RAdam，每个融合为一个计算核。",
    "kernels/special_math":
        "数学库的其余部分：反三角、双曲函数、log2/exp2/expm1、atan2、hypot、copysign。",
    "kernels/erf":
        "误差函数 erf(x) = 2/sqrt(pi) * ∫₀ˣ e^(-t²) dt，用纯 NumPy 计算。",
    "ops/conv_family":
        "卷积家族的其余成员，建立在二维原语之上：一维卷积与池化、转置卷积、插值、各种归一化。",
    "ops/decompositions":
        "矩阵分解：eigh、eigvalsh、svd、svdvals、pinv、cholesky、qr（torch.linalg），由特征分解原语构成。",
    "ops/functional_extras":
        "torch.functional 的其余部分：建立在 reshape、expand、cat 和 matmul 之上的小工具。",
    "ops/index_add":
        "index_add：沿一个维度把源张量的切片加到指定位置。",
    "ops/inplace_functions":
        "torch.sin_(x)、torch.clamp_(x, 0, 1) 等：PyTorch 也以函数形式提供的原地算子。",
    "ops/layout_more":
        "更多形状工具和几个采样函数（ravel、tile、hstack、tensor_split、multinomial 等），"
        "都由已有算子组合而成。",
    "ops/linalg":
        "线性方程组：solve、inv、det、slogdet、logdet，经由一个原语（Gauss-Jordan 消元）。",
    "ops/math_more":
        "数学库的更多函数，每一个都由读者已经认识的算子组合而成。",
    "ops/padding":
        "reflect、replicate、circular 三种填充模式，用下标收集（gather）实现。",
    "ops/products":
        "matmul 之外的乘积：einsum、addmm/baddbmm、kron、cross、向量范数和 cdist。",
    "ops/scatter":
        "把值写到指定位置：scatter、index_fill、index_copy、masked_scatter、put、take。",
    "ops/spectral":
        "短时傅里叶变换：torch.stft / torch.istft 以及它们用到的窗函数。",
}
