//! The parts of TFLite's schema (`schema.fbs`, version 3) that int8 import reads: the model's
//! one subgraph, its operators with their builtin codes and options, and its tensors with
//! shapes, types, data and quantisation.

use super::error::TfliteError;
use super::flatbuffer::{Buf, Table, Vector};

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
    fn from_code(code: i32) -> Op {
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

    /// TFLite's name for the operator.
    pub fn name(self) -> &'static str {
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

fn other_name(code: i32) -> &'static str {
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
    pub fn parse(bytes: &'a [u8]) -> Result<Model<'a>, TfliteError> {
        if bytes.len() < 8 {
            return Err(TfliteError::Malformed { what: "header" });
        }
        if &bytes[4..8] != b"TFL3" {
            return Err(TfliteError::NotTflite);
        }
        let root = Buf(bytes).root()?;
        if root.u32(0, 0, "model version")? != 3 {
            return Err(TfliteError::NotTflite);
        }
        let subgraphs = root.vector(2, 4, "subgraphs")?;
        if subgraphs.len() != 1 {
            return Err(TfliteError::Subgraphs {
                found: subgraphs.len(),
            });
        }
        let graph = subgraphs.table(0, "subgraph")?;
        Ok(Model {
            opcodes: root.vector(1, 4, "operator codes")?,
            buffers: root.vector(4, 4, "buffers")?,
            tensors: graph.vector(0, 4, "tensors")?,
            operators: graph.vector(3, 4, "operators")?,
        })
    }

    /// The number of operators, in execution order.
    pub fn operator_count(&self) -> usize {
        self.operators.len()
    }

    /// Operator `i`.
    pub fn operator(&self, i: usize) -> Result<Operator<'a>, TfliteError> {
        let t = self.operators.table(i, "operator")?;
        let opcode_index = t.u32(0, 0, "operator code index")? as usize;
        let code = self.opcodes.table(opcode_index, "operator code")?;
        let deprecated = code.i8(0, 0, "operator code")? as i32;
        let builtin = code.i32(3, 0, "operator code")?;
        Ok(Operator {
            op: Op::from_code(deprecated.max(builtin)),
            inputs: t.vector(1, 4, "operator inputs")?,
            outputs: t.vector(2, 4, "operator outputs")?,
            options: t.table(4, "operator options")?,
        })
    }

    /// Tensor `i`, with its data (empty for activations).
    pub fn tensor(&self, i: i32) -> Result<Tensor<'a>, TfliteError> {
        let index = usize::try_from(i).map_err(|_| TfliteError::Malformed {
            what: "tensor index",
        })?;
        let t = self.tensors.table(index, "tensor")?;
        let buffer = t.u32(2, 0, "tensor buffer index")? as usize;
        let data = if buffer == 0 {
            &[][..]
        } else {
            let b = self.buffers.table(buffer, "buffer")?;
            // Buffers of models over 2 GB live outside the flatbuffer (offset > 1).
            if b.u64(1, 0, "buffer offset")? > 1 {
                return Err(TfliteError::Malformed {
                    what: "buffer (data outside the flatbuffer is not supported)",
                });
            }
            b.vector(0, 1, "buffer data")?.bytes()
        };
        let quant = t.table(4, "quantization")?;
        Ok(Tensor {
            shape: t.vector(0, 4, "tensor shape")?,
            dtype: t.u8(1, 0, "tensor type")?,
            data,
            scales: match quant {
                Some(q) => q.vector(2, 4, "quantization scales")?,
                None => Vector::empty(),
            },
            zero_points: match quant {
                Some(q) => q.vector(3, 8, "quantization zero points")?,
                None => Vector::empty(),
            },
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
    pub fn rank(&self) -> usize {
        self.shape.len()
    }
    /// Dimension `i` (a negative or unreadable dimension is malformed).
    pub fn dim(&self, i: usize) -> Result<usize, TfliteError> {
        usize::try_from(self.shape.i32(i, "tensor shape")?).map_err(|_| TfliteError::Malformed {
            what: "tensor shape",
        })
    }
    /// The product of its dimensions.
    pub fn elements(&self) -> Result<usize, TfliteError> {
        let mut n = 1usize;
        for i in 0..self.rank() {
            n = n.checked_mul(self.dim(i)?).ok_or(TfliteError::Malformed {
                what: "tensor shape",
            })?;
        }
        Ok(n)
    }
}
