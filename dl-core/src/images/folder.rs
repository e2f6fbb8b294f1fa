//! A folder of class sub-folders as a streaming source, and its train/validation splits.

use super::config::{ImageConfig, Labels, OnCorrupt};
use super::error::ImageError;
use super::pixels::decode_image;
use crate::error::Operand;
use crate::float::Float;
use crate::rng::Rng;
use crate::stream::{Loaded, Source};
use nalgebra::SVector;
use std::borrow::ToOwned;
use std::format;
use std::fs;
use std::path::{Path, PathBuf};
use std::string::String;
use std::vec::Vec;

/// Images in `root/<class>/<file>`: the classes are the sub-folders' names, sorted (byte
/// order of their UTF-8 names, as Python's `sorted`), numbered from 0; the images of a class
/// are its files in sorted order. Files and folders whose names start with `.` are ignored,
/// as are folders inside class folders; every other file must be a PNG or a JPEG.
#[derive(Clone, Debug)]
pub struct ImageFolder {
    root: PathBuf,
    classes: Vec<String>,
    samples: Vec<(PathBuf, usize)>,
    config: ImageConfig,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ImageError + '_ {
    move |error| ImageError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// The visible entries of a folder, sorted by name.
fn entries(dir: &Path) -> Result<Vec<(PathBuf, fs::FileType)>, ImageError> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        if entry.file_name().as_encoded_bytes().starts_with(b".") {
            continue;
        }
        // `metadata` follows symbolic links, as a class folder may be one.
        let kind = fs::metadata(&path).map_err(io(&path))?.file_type();
        found.push((path, kind));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(found)
}

impl ImageFolder {
    /// Lists `root`'s classes and images (nothing is decoded yet) under `config`.
    ///
    /// Errors: [`ImageError::NoClasses`], [`ImageError::EmptyClass`],
    /// [`ImageError::NonUtf8Name`], [`ImageError::Io`], and [`ImageError::Config`] for
    /// settings out of range or binary labels with other than two classes.
    pub fn open(root: impl AsRef<Path>, config: ImageConfig) -> Result<Self, ImageError> {
        config.validate()?;
        let root = root.as_ref().to_path_buf();
        let mut classes = Vec::new();
        let mut samples = Vec::new();
        for (dir, kind) in entries(&root)? {
            if !kind.is_dir() {
                continue;
            }
            let name = dir
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or_else(|| ImageError::NonUtf8Name { path: dir.clone() })?
                .to_owned();
            let class = classes.len();
            let before = samples.len();
            for (file, kind) in entries(&dir)? {
                if kind.is_file() {
                    samples.push((file, class));
                }
            }
            if samples.len() == before {
                return Err(ImageError::EmptyClass { path: dir });
            }
            classes.push(name);
        }
        if classes.is_empty() {
            return Err(ImageError::NoClasses { path: root });
        }
        if config.labels == Labels::Binary && classes.len() != 2 {
            return Err(ImageError::Config(
                "binary labels need exactly two class folders",
            ));
        }
        Ok(ImageFolder {
            root,
            classes,
            samples,
            config,
        })
    }

    /// The class names, in label order.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Every image and its class, in order.
    pub fn samples(&self) -> &[(PathBuf, usize)] {
        &self.samples
    }

    /// The folder it was opened from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The settings.
    pub fn config(&self) -> &ImageConfig {
        &self.config
    }

    /// The same images under other settings (e.g. a validation part without augmentation;
    /// the number of classes must still suit the labels).
    pub fn with_config(mut self, config: ImageConfig) -> Result<Self, ImageError> {
        config.validate()?;
        if config.labels == Labels::Binary && self.classes.len() != 2 {
            return Err(ImageError::Config(
                "binary labels need exactly two class folders",
            ));
        }
        self.config = config;
        Ok(self)
    }

    /// The number of images.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Whether there is no image (never, once opened).
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    fn part(&self, samples: Vec<(PathBuf, usize)>) -> Self {
        ImageFolder {
            root: self.root.clone(),
            classes: self.classes.clone(),
            samples,
            config: self.config,
        }
    }

    /// Splits into training and validation parts at random: in each class, a seeded shuffle
    /// of its images and the first `round(fraction * n)` of them for validation (so both
    /// parts keep the class proportions). The parts keep the folder's order.
    ///
    /// Errors: [`ImageError::Config`] for a fraction outside `[0, 1]`.
    pub fn split(&self, fraction: f64, seed: u64) -> Result<(Self, Self), ImageError> {
        if !(0.0..=1.0).contains(&fraction) {
            return Err(ImageError::Config(
                "the validation fraction must be in [0, 1]",
            ));
        }
        let mut rng = Rng::new(seed);
        let mut validation = std::vec![false; self.samples.len()];
        for class in 0..self.classes.len() {
            let mut members: Vec<usize> = (0..self.samples.len())
                .filter(|&i| self.samples[i].1 == class)
                .collect();
            rng.shuffle(&mut members);
            let take = (fraction * members.len() as f64).round() as usize;
            for &i in &members[..take] {
                validation[i] = true;
            }
        }
        let pick = |want: bool| {
            self.samples
                .iter()
                .zip(&validation)
                .filter(|&(_, &v)| v == want)
                .map(|(s, _)| s.clone())
                .collect()
        };
        Ok((self.part(pick(false)), self.part(pick(true))))
    }

    /// Splits by a split file: one line an image, `<class>/<file>,<part>` with the path
    /// relative to the root (`/`-separated) and the part `train` or `validation`; blank lines
    /// and lines starting with `#` are ignored. Every image must be listed exactly once.
    ///
    /// Errors: [`ImageError::Split`] naming the line (malformed, unknown part, an image not
    /// in the folder, listed twice) or an image of the folder the file does not list;
    /// [`ImageError::Io`] if it cannot be read.
    pub fn split_file(&self, path: impl AsRef<Path>) -> Result<(Self, Self), ImageError> {
        let path = path.as_ref();
        let text = fs::read_to_string(path).map_err(io(path))?;
        let split_error = |line: usize, message: String| ImageError::Split {
            path: path.to_path_buf(),
            line,
            message,
        };
        let mut part: Vec<Option<bool>> = std::vec![None; self.samples.len()];
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (file, which) = line
                .rsplit_once(',')
                .ok_or_else(|| split_error(n + 1, "expected `<class>/<file>,<part>`".into()))?;
            let validation = match which.trim() {
                "train" => false,
                "validation" => true,
                other => {
                    return Err(split_error(
                        n + 1,
                        format!("unknown part `{other}` (train or validation)"),
                    ))
                }
            };
            let wanted = self.root.join(file.trim());
            let i = self
                .samples
                .iter()
                .position(|(p, _)| *p == wanted)
                .ok_or_else(|| split_error(n + 1, format!("no image `{}`", file.trim())))?;
            if part[i].replace(validation).is_some() {
                return Err(split_error(
                    n + 1,
                    format!("`{}` listed twice", file.trim()),
                ));
            }
        }
        if let Some(i) = part.iter().position(Option::is_none) {
            let missing = self.samples[i].0.display();
            return Err(split_error(0, format!("{missing} is not listed")));
        }
        let pick = |want: bool| {
            self.samples
                .iter()
                .zip(&part)
                .filter(|&(_, &p)| p == Some(want))
                .map(|(s, _)| s.clone())
                .collect()
        };
        Ok((self.part(pick(false)), self.part(pick(true))))
    }

    /// Reads and decodes image `index` into `input` and writes its label into `target` (see
    /// [`decode_image`] and [`Labels`]). With [`OnCorrupt::Skip`], an unreadable, corrupt or
    /// unknown-format image gives [`Loaded::Skipped`] and leaves both untouched.
    pub fn load_into<T: Float>(
        &self,
        index: usize,
        augment: Option<&mut Rng>,
        input: &mut [T],
        target: &mut [T],
    ) -> Result<Loaded, ImageError> {
        let expected = self.config.target_len(self.classes.len());
        if target.len() != expected {
            return Err(ImageError::Shape {
                what: Operand::Target,
                expected,
                found: target.len(),
            });
        }
        let (path, class) = self.samples.get(index).ok_or(ImageError::Config(
            "sample index beyond the folder's images",
        ))?;
        let decoded = fs::read(path)
            .map_err(io(path))
            .and_then(|bytes| decode_image(&bytes, path, &self.config, augment, input));
        match decoded {
            Ok(()) => {}
            Err(
                ImageError::Io { .. }
                | ImageError::Corrupt { .. }
                | ImageError::UnknownFormat { .. },
            ) if self.config.on_corrupt == OnCorrupt::Skip => return Ok(Loaded::Skipped),
            Err(e) => return Err(e),
        }
        match self.config.labels {
            Labels::OneHot => {
                target.fill(T::ZERO);
                target[*class] = T::ONE;
            }
            Labels::Binary | Labels::Index => target[0] = T::cast(*class as f64),
        }
        Ok(Loaded::Sample)
    }
}

impl<T: Float, const I: usize, const O: usize> Source<SVector<T, I>, SVector<T, O>>
    for ImageFolder
{
    type Error = ImageError;

    fn len(&self) -> usize {
        self.samples.len()
    }

    fn load(
        &self,
        index: usize,
        augment: Option<&mut Rng>,
        input: &mut SVector<T, I>,
        target: &mut SVector<T, O>,
    ) -> Result<Loaded, ImageError> {
        self.load_into(index, augment, input.as_mut_slice(), target.as_mut_slice())
    }
}
