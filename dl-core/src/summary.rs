//! `summary()`: a table of layers, output shapes and parameter counts, as Keras prints it.

use core::fmt::{self, Display, Write};

/// One layer of a [`Summary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerInfo {
    /// The layer's field name in the generated struct.
    pub name: &'static str,
    /// The layer as written, e.g. `Dense<2, 4, Sigmoid>`.
    pub layer: &'static str,
    /// Its output shape (`[4]`, or `[C, H, W]` for images).
    pub output: &'static [usize],
    /// Its number of trainable parameters.
    pub params: usize,
}

/// A network's layer table. `Display` prints it; it needs no allocation.
///
/// ```
/// use dl_core::prelude::*;
/// network! { struct Small { Dense<2, 3, Tanh>, Dense<3, 1, Identity> } }
/// let summary = Small::<f32>::summary();
/// assert_eq!((summary.name, summary.layers.len(), summary.total_params()), ("Small", 2, 13));
/// println!("{summary}"); // Keras's table: layer, output shape, parameters
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The network's name.
    pub name: &'static str,
    /// Its input shape.
    pub input: &'static [usize],
    /// One entry a layer.
    pub layers: &'static [LayerInfo],
    /// Bytes of one scalar (4 for f32, 8 for f64).
    pub scalar_bytes: usize,
}

impl Summary {
    /// The total number of trainable parameters.
    pub const fn total_params(&self) -> usize {
        let mut total = 0;
        let mut i = 0;
        while i < self.layers.len() {
            total += self.layers[i].params;
            i += 1;
        }
        total
    }
}

/// Counts the bytes a `Display` value writes, so columns can be sized without a buffer.
struct Width(usize);

impl Write for Width {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.chars().count();
        Ok(())
    }
}

fn width(args: fmt::Arguments<'_>) -> usize {
    let mut w = Width(0);
    let _ = w.write_fmt(args);
    w.0
}

/// A shape printed as Keras does: `(4,)` or `(8, 8, 8)`.
struct Shape(&'static [usize]);

impl Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        if self.0.len() == 1 {
            f.write_str(",")?;
        }
        f.write_str(")")
    }
}

/// Writes `args` left-aligned in a column `width` characters wide.
fn cell(f: &mut fmt::Formatter<'_>, args: fmt::Arguments<'_>, width: usize) -> fmt::Result {
    let n = self::width(args);
    f.write_fmt(args)?;
    for _ in n..width {
        f.write_char(' ')?;
    }
    Ok(())
}

impl Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head = ["Layer (type)", "Output Shape", "Param #"];
        let mut w = [head[0].len(), head[1].len(), head[2].len()];
        for l in self.layers {
            w[0] = w[0].max(width(format_args!("{} ({})", l.name, l.layer)));
            w[1] = w[1].max(width(format_args!("{}", Shape(l.output))));
            w[2] = w[2].max(width(format_args!("{}", l.params)));
        }
        let total = w[0] + w[1] + w[2] + 5;
        let rule = |f: &mut fmt::Formatter<'_>, c: char| -> fmt::Result {
            for _ in 0..total {
                f.write_char(c)?;
            }
            f.write_char('\n')
        };
        let row = |f: &mut fmt::Formatter<'_>,
                   layer: fmt::Arguments<'_>,
                   shape: fmt::Arguments<'_>,
                   params: fmt::Arguments<'_>|
         -> fmt::Result {
            f.write_char(' ')?;
            cell(f, layer, w[0] + 2)?;
            cell(f, shape, w[1] + 2)?;
            let n = width(params);
            for _ in n..w[2] {
                f.write_char(' ')?;
            }
            f.write_fmt(params)?;
            f.write_char('\n')
        };
        writeln!(f, "Model: \"{}\"", self.name)?;
        rule(f, '_')?;
        row(
            f,
            format_args!("{}", head[0]),
            format_args!("{}", head[1]),
            format_args!("{}", head[2]),
        )?;
        rule(f, '=')?;
        row(
            f,
            format_args!("input"),
            format_args!("{}", Shape(self.input)),
            format_args!("0"),
        )?;
        for l in self.layers {
            row(
                f,
                format_args!("{} ({})", l.name, l.layer),
                format_args!("{}", Shape(l.output)),
                format_args!("{}", l.params),
            )?;
        }
        rule(f, '=')?;
        let params = self.total_params();
        writeln!(
            f,
            "Total params: {} ({} bytes)",
            params,
            params * self.scalar_bytes
        )?;
        writeln!(f, "Trainable params: {params}")?;
        write!(f, "Non-trainable params: 0")
    }
}
