//! What can be wrong with a `.tflite` file, or with its fit to a declared network.

use super::message::Message;

/// Why a `.tflite` model was refused. Every variant names what is wrong; the import errors
/// name the layer (its position in the declaration, from 1, as `network!` numbers layers).
///
/// Its `Display` and [`TfliteError::message`] give the same words (a [`Message`], written in a
/// `const fn`, so that a compile-time import stops the build with them).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum TfliteError {
    /// The bytes are not a well-formed TFLite flatbuffer (truncated, an offset out of range,
    /// a missing required table): `what` was being read.
    Malformed {
        /// What was being read.
        what: &'static str,
    },
    /// The file identifier is not `TFL3`, or the schema version is not 3.
    NotTflite,
    /// The model has no subgraph, or more than one.
    Subgraphs {
        /// How many.
        found: usize,
    },
    /// An operator dl does not import (by TFLite's builtin code and name).
    UnsupportedOperator {
        /// The declared layer being read when it was met.
        layer: usize,
        /// The operator's index in the file.
        index: usize,
        /// TFLite's builtin operator code.
        code: i32,
        /// Its name, or `"custom or unknown"`.
        name: &'static str,
    },
    /// A tensor has a type other than the one needed (int8 activations and weights, int32
    /// bias).
    UnsupportedType {
        /// The layer in the declaration.
        layer: usize,
        /// Which tensor.
        what: &'static str,
        /// TFLite's tensor type code found.
        found: u8,
    },
    /// The file's operator at this point differs from the declared layer.
    LayerKind {
        /// The layer in the declaration.
        layer: usize,
        /// The declared kind, e.g. `"Dense"`.
        expected: &'static str,
        /// The operator found, e.g. `"CONV_2D"`, or `"end of model"`.
        found: &'static str,
    },
    /// A size differs between the file and the declaration.
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
    Quantization {
        /// The layer in the declaration.
        layer: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// The fused activation differs from the declared one, or is not a clamp dl supports.
    Activation {
        /// The layer in the declaration.
        layer: usize,
        /// The declared activation.
        expected: &'static str,
        /// TFLite's fused activation code found.
        found: i8,
    },
    /// The model has operators left after the last declared layer.
    TrailingOperators {
        /// How many.
        count: usize,
    },
}

impl TfliteError {
    /// The declared layer the error is about (from 1), if it is about one.
    pub const fn layer(&self) -> Option<usize> {
        match *self {
            TfliteError::UnsupportedOperator { layer, .. }
            | TfliteError::UnsupportedType { layer, .. }
            | TfliteError::LayerKind { layer, .. }
            | TfliteError::Shape { layer, .. }
            | TfliteError::Quantization { layer, .. }
            | TfliteError::Activation { layer, .. } => Some(layer),
            TfliteError::Malformed { .. }
            | TfliteError::NotTflite
            | TfliteError::Subgraphs { .. }
            | TfliteError::TrailingOperators { .. } => None,
        }
    }

    /// The error in words, appended to `m`: what `Display` writes, in a `const fn`.
    pub const fn message(&self, m: Message) -> Message {
        self.message_naming(m, "")
    }

    /// [`Self::message`] with the layer's declaration after its number, `layer 2
    /// (Dense<16, 8, Relu>): ...` (`text` empty: the number alone). A compile-time import
    /// stops the build with it.
    pub const fn message_naming(&self, m: Message, text: &str) -> Message {
        match *self {
            TfliteError::Malformed { what } => m.str("malformed .tflite file: bad ").str(what),
            TfliteError::NotTflite => {
                m.str("not a TFLite model (identifier TFL3, schema version 3)")
            }
            TfliteError::Subgraphs { found } => m
                .str("the model has ")
                .usize(found)
                .str(" subgraphs; dl imports exactly one"),
            TfliteError::UnsupportedOperator {
                layer,
                index,
                code,
                name,
            } => named(m, layer, text)
                .str(": operator ")
                .usize(index)
                .str(" is ")
                .str(name)
                .str(" (builtin code ")
                .int(code as i64)
                .str("), which dl does not import"),
            TfliteError::UnsupportedType { layer, what, found } => named(m, layer, text)
                .str(": the ")
                .str(what)
                .str(" has TFLite type ")
                .usize(found as usize)
                .str("; dl imports int8 tensors with int32 biases"),
            TfliteError::LayerKind {
                layer,
                expected,
                found,
            } => named(m, layer, text)
                .str(" is declared ")
                .str(expected)
                .str(" but the model has ")
                .str(found)
                .str(" there"),
            TfliteError::Shape {
                layer,
                what,
                expected,
                found,
            } => named(m, layer, text)
                .str(": ")
                .str(what)
                .str(" is ")
                .usize(found)
                .str(" in the model but ")
                .usize(expected)
                .str(" in the declaration"),
            TfliteError::Quantization { layer, what } => {
                named(m, layer, text).str(": bad quantisation: ").str(what)
            }
            TfliteError::Activation {
                layer,
                expected,
                found,
            } => named(m, layer, text)
                .str(": the model fuses activation ")
                .int(found as i64)
                .str(" (TFLite code) but the declaration says ")
                .str(expected),
            TfliteError::TrailingOperators { count } => m
                .str("the model has ")
                .usize(count)
                .str(" operators after the last declared layer"),
        }
    }
}

/// `layer N`, then ` (text)` if `text` is not empty.
const fn named(m: Message, layer: usize, text: &str) -> Message {
    let m = m.str("layer ").usize(layer);
    if text.is_empty() {
        m
    } else {
        m.str(" (").str(text).str(")")
    }
}

impl core::fmt::Display for TfliteError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message(Message::new()).as_str())
    }
}

impl core::error::Error for TfliteError {}
