//! What can be wrong with a `.tflite` file, or with its fit to a declared network.

/// Why a `.tflite` model was refused. Every variant names what is wrong; the import errors
/// name the layer (its position in the declaration, from 1, as `network!` numbers layers).
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TfliteError {
    /// The bytes are not a well-formed TFLite flatbuffer (truncated, an offset out of range,
    /// a missing required table): `what` was being read.
    #[error("malformed .tflite file: bad {what}")]
    Malformed {
        /// What was being read.
        what: &'static str,
    },
    /// The file identifier is not `TFL3`, or the schema version is not 3.
    #[error("not a TFLite model (identifier TFL3, schema version 3)")]
    NotTflite,
    /// The model has no subgraph, or more than one.
    #[error("the model has {found} subgraphs; dl imports exactly one")]
    Subgraphs {
        /// How many.
        found: usize,
    },
    /// An operator dl does not import (by TFLite's builtin code and name).
    #[error("operator {index} is {name} (builtin code {code}), which dl does not import")]
    UnsupportedOperator {
        /// The operator's index in the file.
        index: usize,
        /// TFLite's builtin operator code.
        code: i32,
        /// Its name, or `"custom or unknown"`.
        name: &'static str,
    },
    /// A tensor has a type other than the one needed (int8 activations and weights, int32
    /// bias).
    #[error("layer {layer}: the {what} has TFLite type {found}; dl imports int8 tensors with int32 biases")]
    UnsupportedType {
        /// The layer in the declaration.
        layer: usize,
        /// Which tensor.
        what: &'static str,
        /// TFLite's tensor type code found.
        found: u8,
    },
    /// The file's operator at this point differs from the declared layer.
    #[error("layer {layer} is declared {expected} but the model has {found} there")]
    LayerKind {
        /// The layer in the declaration.
        layer: usize,
        /// The declared kind, e.g. `"Dense"`.
        expected: &'static str,
        /// The operator found, e.g. `"CONV_2D"`, or `"end of model"`.
        found: &'static str,
    },
    /// A size differs between the file and the declaration.
    #[error("layer {layer}: {what} is {found} in the model but {expected} in the declaration")]
    Shape {
        /// The layer in the declaration.
        layer: usize,
        /// Which size, e.g. `"weight rows (outputs)"`.
        what: &'static str,
        /// The declared size.
        expected: usize,
        /// The file's size.
        found: usize,
    },
    /// A quantisation parameter is missing, out of range or inconsistent (a scale that is not
    /// finite and positive, a zero point outside int8, a weight zero point other than 0, a
    /// bias scale other than `s_in * s_w`, a layer whose input is not the previous output).
    #[error("layer {layer}: bad quantisation: {what}")]
    Quantization {
        /// The layer in the declaration.
        layer: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// The fused activation differs from the declared one, or is not a clamp dl supports.
    #[error("layer {layer}: the model fuses activation {found} (TFLite code) but the declaration says {expected}")]
    Activation {
        /// The layer in the declaration.
        layer: usize,
        /// The declared activation.
        expected: &'static str,
        /// TFLite's fused activation code found.
        found: i8,
    },
    /// The model has operators left after the last declared layer.
    #[error("the model has {count} operators after the last declared layer")]
    TrailingOperators {
        /// How many.
        count: usize,
    },
}
