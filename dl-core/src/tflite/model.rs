//! The parts of TFLite's schema (`schema.fbs`, version 3) that int8 import reads: the model's
//! one subgraph, its operators with their builtin codes and options, and its tensors with
//! shapes, types, data and quantisation.

use super::error::TfliteError;
use super::flatbuffer::{tri, Buf, Table, Vector};

/// TFLite's tensor type codes dl reads.
pub mod tensor_type {
    /// `INT32`.
    pub const INT32: u8 = 2;
    /// `INT8`.
    pub const INT8: u8 = 9;
}

/// The builtin operators dl imports, and the names of a few it does not (for errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `AVERAGE_POOL_2D` (1).
    AvgPool2D,
    /// `CONV_2D` (3).
    Conv2D,
    /// `FULLY_CONNECTED` (9).
    FullyConnected,
    /// `LOGISTIC` (14).
    Logistic,
    /// `MAX_POOL_2D` (17).
    MaxPool2D,
    /// `RESHAPE` (22).
    Reshape,
    /// `SOFTMAX` (25).
    Softmax,
    /// `TANH` (28).
    Tanh,
    /// Anything else: builtin code and name.
    Other(i32, &'static str),
}

impl Op {
    const fn from_code(code: i32) -> Op {
        match code {
            1 => Op::AvgPool2D,
            3 => Op::Conv2D,
            9 => Op::FullyConnected,
            14 => Op::Logistic,
            17 => Op::MaxPool2D,
            22 => Op::Reshape,
            25 => Op::Softmax,
            28 => Op::Tanh,
            c => Op::Other(c, other_name(c)),
        }
    }

    /// Whether `self` and `other` are the same operator (`==` in a `const fn`).
    pub const fn is(self, other: Op) -> bool {
        match (self, other) {
            (Op::Other(a, _), Op::Other(b, _)) => a == b,
            _ => matches!(
                (self, other),
                (Op::AvgPool2D, Op::AvgPool2D)
                    | (Op::Conv2D, Op::Conv2D)
                    | (Op::FullyConnected, Op::FullyConnected)
                    | (Op::Logistic, Op::Logistic)
                    | (Op::MaxPool2D, Op::MaxPool2D)
                    | (Op::Reshape, Op::Reshape)
                    | (Op::Softmax, Op::Softmax)
                    | (Op::Tanh, Op::Tanh)
            ),
        }
    }

    /// TFLite's name for the operator.
    pub const fn name(self) -> &'static str {
        match self {
            Op::AvgPool2D => "AVERAGE_POOL_2D",
            Op::Conv2D => "CONV_2D",
            Op::FullyConnected => "FULLY_CONNECTED",
            Op::Logistic => "LOGISTIC",
            Op::MaxPool2D => "MAX_POOL_2D",
            Op::Reshape => "RESHAPE",
            Op::Softmax => "SOFTMAX",
            Op::Tanh => "TANH",
            Op::Other(_, name) => name,
        }
    }
}

const fn other_name(code: i32) -> &'static str {
    match code {
        0 => "ADD",
        4 => "DEPTHWISE_CONV_2D",
        6 => "DEQUANTIZE",
        19 => "RELU",
        21 => "RELU6",
        32 => "CUSTOM",
        34 => "PAD",
        40 => "MEAN",
        98 => "LEAKY_RELU",
        111 => "ELU",
        114 => "QUANTIZE",
        _ => "custom or unknown",
    }
}

/// A parsed model: the root table and its one subgraph.
#[derive(Clone, Copy, Debug)]
pub struct Model<'a> {
    opcodes: Vector<'a>,
    buffers: Vector<'a>,
    tensors: Vector<'a>,
    operators: Vector<'a>,
}

impl<'a> Model<'a> {
    /// Reads the header and the subgraph's tables. Nothing is copied.
    pub const fn parse(bytes: &'a [u8]) -> Result<Model<'a>, TfliteError> {
        if bytes.len() < 8 {
            return Err(TfliteError::Malformed { what: "header" });
        }
        if !(bytes[4] == b'T' && bytes[5] == b'F' && bytes[6] == b'L' && bytes[7] == b'3') {
            return Err(TfliteError::NotTflite);
        }
        let root = tri!(Buf(bytes).root());
        if tri!(root.u32(0, 0, "model version")) != 3 {
            return Err(TfliteError::NotTflite);
        }
        let subgraphs = tri!(root.vector(2, 4, "subgraphs"));
        if subgraphs.len() != 1 {
            return Err(TfliteError::Subgraphs {
                found: subgraphs.len(),
            });
        }
        let graph = tri!(subgraphs.table(0, "subgraph"));
        Ok(Model {
            opcodes: tri!(root.vector(1, 4, "operator codes")),
            buffers: tri!(root.vector(4, 4, "buffers")),
            tensors: tri!(graph.vector(0, 4, "tensors")),
            operators: tri!(graph.vector(3, 4, "operators")),
        })
    }

    /// The number of operators, in execution order.
    pub const fn operator_count(&self) -> usize {
        self.operators.len()
    }

    /// Operator `i`.
    pub const fn operator(&self, i: usize) -> Result<Operator<'a>, TfliteError> {
        let t = tri!(self.operators.table(i, "operator"));
        let opcode_index = tri!(t.u32(0, 0, "operator code index")) as usize;
        let code = tri!(self.opcodes.table(opcode_index, "operator code"));
        let deprecated = tri!(code.i8(0, 0, "operator code")) as i32;
        let builtin = tri!(code.i32(3, 0, "operator code"));
        Ok(Operator {
            op: Op::from_code(if deprecated > builtin {
                deprecated
            } else {
                builtin
            }),
            inputs: tri!(t.vector(1, 4, "operator inputs")),
            outputs: tri!(t.vector(2, 4, "operator outputs")),
            options: tri!(t.table(4, "operator options")),
        })
    }

    /// Tensor `i`, with its data (empty for activations).
    pub const fn tensor(&self, i: i32) -> Result<Tensor<'a>, TfliteError> {
        if i < 0 {
            return Err(TfliteError::Malformed {
                what: "tensor index",
            });
        }
        let t = tri!(self.tensors.table(i as usize, "tensor"));
        let buffer = tri!(t.u32(2, 0, "tensor buffer index")) as usize;
        let data = if buffer == 0 {
            &[]
        } else {
            let b = tri!(self.buffers.table(buffer, "buffer"));
            // Buffers of models over 2 GB live outside the flatbuffer (offset > 1).
            if tri!(b.u64(1, 0, "buffer offset")) > 1 {
                return Err(TfliteError::Malformed {
                    what: "buffer (data outside the flatbuffer is not supported)",
                });
            }
            tri!(b.vector(0, 1, "buffer data")).bytes()
        };
        let (scales, zero_points) = match tri!(t.table(4, "quantization")) {
            Some(q) => (
                tri!(q.vector(2, 4, "quantization scales")),
                tri!(q.vector(3, 8, "quantization zero points")),
            ),
            None => (Vector::empty(), Vector::empty()),
        };
        Ok(Tensor {
            shape: tri!(t.vector(0, 4, "tensor shape")),
            dtype: tri!(t.u8(1, 0, "tensor type")),
            data,
            scales,
            zero_points,
        })
    }
}

/// One operator: what it is, its tensors, its options table.
#[derive(Clone, Copy, Debug)]
pub struct Operator<'a> {
    /// The builtin operator.
    pub op: Op,
    /// Input tensor indices (-1: absent optional input).
    pub inputs: Vector<'a>,
    /// Output tensor indices.
    pub outputs: Vector<'a>,
    /// The builtin options, if any.
    pub options: Option<Table<'a>>,
}

/// One tensor.
#[derive(Clone, Copy, Debug)]
pub struct Tensor<'a> {
    /// Its dimensions.
    pub shape: Vector<'a>,
    /// TFLite's type code ([`tensor_type`]).
    pub dtype: u8,
    /// Its constant data (empty for activations).
    pub data: &'a [u8],
    /// Quantisation scales: one, or one per channel.
    pub scales: Vector<'a>,
    /// Quantisation zero points.
    pub zero_points: Vector<'a>,
}

impl Tensor<'_> {
    /// Its number of dimensions.
    pub const fn rank(&self) -> usize {
        self.shape.len()
    }
    /// Dimension `i` (a negative or unreadable dimension is malformed).
    pub const fn dim(&self, i: usize) -> Result<usize, TfliteError> {
        match self.shape.i32(i, "tensor shape") {
            Ok(d) if d >= 0 => Ok(d as usize),
            Ok(_) => Err(TfliteError::Malformed {
                what: "tensor shape",
            }),
            Err(e) => Err(e),
        }
    }
    /// The product of its dimensions.
    pub const fn elements(&self) -> Result<usize, TfliteError> {
        let mut n = 1usize;
        let mut i = 0;
        while i < self.rank() {
            n = match n.checked_mul(tri!(self.dim(i))) {
                Some(n) => n,
                None => {
                    return Err(TfliteError::Malformed {
                        what: "tensor shape",
                    })
                }
            };
            i += 1;
        }
        Ok(n)
    }
}
