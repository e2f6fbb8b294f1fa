#!/usr/bin/env bash
# The MicroFlow anchor (../shared/anchors/microflow, read-only) with dl's int8 sine added:
# copies it to WORK/lab-src, adds fw-dl's int8 firmware (these files: the build script
# importing sine.tflite with dl's importer, `dl_i8_sine` measured by the lab's harness and
# `dl_i8_sine_min` for flash), adds the rows to its build list and summary, keeps profile
# `release` only, and runs it against this checkout. The tables land in
# WORK/work/results/summary.md (README's "Against MicroFlow" table comes from one such run).
#
#   bash embedded/mcu/anchor/run.sh WORK [ANCHOR_DIR]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DL=$(cd "$HERE/../../.." && pwd)
WORK=${1:?WORK directory}
ANCHOR=${2:-$DL/../shared/anchors/microflow}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
rm -rf "$WORK/lab-src"
cp -r "$ANCHOR" "$WORK/lab-src"
chmod -R u+w "$WORK/lab-src"
cd "$WORK/lab-src"
cp "$HERE/fw-dl-build.rs" fw-dl/build.rs
cp "$HERE/dl_i8_sine.rs" "$HERE/dl_i8_sine_min.rs" fw-dl/src/bin/
cat "$HERE/fw-dl-int8.rs" >>fw-dl/src/lib.rs
printf '\n[build-dependencies]\ndl-core = { path = "../dl/dl-core", features = ["std"] }\n' >>fw-dl/Cargo.toml
sed -i 's/^PROFILES=(release release-o3)/PROFILES=(release)/' run.sh
sed -i 's/ dl_sine_min$/ dl_sine_min dl_i8_sine dl_i8_sine_min/' run.sh
sed -i 's/for b in baseline mf_sine dl_sine dl_sine_tflite dl_digits/for b in baseline mf_sine dl_sine dl_sine_tflite dl_i8_sine dl_digits/' run.sh
sed -i 's/    ("dl_sine_tflite", None, "dl f32, sine.tflite weights dequantised"),/&\n    ("dl_i8_sine", "dl_i8_sine_min", "dl int8, sine.tflite imported"),/' summarize.py
grep -q dl_i8_sine run.sh && grep -q dl_i8_sine summarize.py
DL="$DL" bash run.sh "$WORK/work"
