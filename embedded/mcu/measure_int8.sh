#!/usr/bin/env bash
# int8 firmware on Cortex-M0, M3 and M4F under QEMU: instructions per inference counted by the
# insn_marker plugin (plugin/insn_marker.c, from ../shared/anchors/microflow), checked against
# int8_budget.txt; flash of the int8 sine ("engine + model": int8_sine_min minus empty, as the
# MicroFlow anchor measures it); and llvm-nm's proof that integer inference links no soft-float
# routine. Run from anywhere after building the bins for the three targets:
#
#   (cd embedded/mcu && for t in thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf; do
#       cargo build --release --bins --target $t; done)
#   bash embedded/mcu/measure_int8.sh [OUT_DIR]
#
# Needs gcc and qemu-system-arm (Debian 12's 7.2, built with TCG plugins), llvm-tools.
set -euo pipefail
cd "$(dirname "$0")"
OUT=${1:-target/int8}
mkdir -p "$OUT"
BIN_DIR="$(rustc --print sysroot)/lib/rustlib/x86_64-unknown-linux-gnu/bin"
gcc -shared -fPIC -O2 -Wall -o "$OUT/insn_marker.so" plugin/insn_marker.c

# Instructions per inference: marker 7 (the loop with inference) minus marker 5 (the same loop
# without), over the number of inferences; marker 3 is one inference alone.
per_inference() {
    awk -v n="$2" '/^marker 3:/ {one = $3} /^marker 5:/ {m5 = $3} /^marker 7:/ {m7 = $3}
        END { if (m7 == "") exit 1; printf "%d %d\n", (m7 - m5) / n, one }' "$1"
}

fail=0
printf '%-16s %-22s %12s %12s %8s %s\n' firmware target per-inference one-call budget result
for t in thumbv7em-none-eabihf thumbv7m-none-eabi thumbv6m-none-eabi; do
    if [ "$t" = thumbv7em-none-eabihf ]; then
        QEMU=(qemu-system-arm -machine mps2-an386 -cpu cortex-m4)
    else
        # thumbv6m code is a subset of thumbv7m: the counts are the M0 code's.
        QEMU=(qemu-system-arm -machine lm3s6965evb -cpu cortex-m3)
    fi
    for b in int8_sine int8_digits int8_digits_cnn; do
        log="$OUT/$b-$t.out"
        timeout 300 "${QEMU[@]}" -nographic -semihosting-config enable=on,target=native \
            -plugin "$OUT/insn_marker.so" -kernel "target/$t/release/$b" >"$log" 2>&1 || {
            echo "$b on $t failed:"; cat "$log"; exit 1; }
        n=100
        if [ "$b" != int8_sine ]; then n=$(sed -n 's/.*int8 (\([0-9]*\) images)/\1/p' "$log"); fi
        read -r per one < <(per_inference "$log" "$n")
        budget=$(awk -v b="$b" -v t="$t" '$1 == b && $2 == t {print $3}' int8_budget.txt)
        verdict=ok
        if [ -z "$budget" ] || [ "$per" -gt "$budget" ]; then verdict="OVER BUDGET"; fail=1; fi
        printf '%-16s %-22s %12s %12s %8s %s\n' "$b" "$t" "$per" "$one" "${budget:-none}" "$verdict"
        grep -E 'accuracy|stack|error' "$log" | sed 's/^/    /'
    done
done

echo
echo "flash (llvm-size text; engine + model = int8_sine_min - empty)"
for t in thumbv7em-none-eabihf thumbv7m-none-eabi thumbv6m-none-eabi; do
    d="target/$t/release"
    empty=$("$BIN_DIR/llvm-size" "$d/empty" | awk 'NR == 2 {print $1}')
    sine=$("$BIN_DIR/llvm-size" "$d/int8_sine_min" | awk 'NR == 2 {print $1}')
    echo "$t: int8_sine_min $sine B, empty $empty B, engine + model $((sine - empty)) B"
done

echo
echo "soft-float routines linked by int8 inference alone (int8_sine_core: sine, MLP, CNN, CNN with Tanh/Sigmoid/Softmax; must be none)"
for t in thumbv7m-none-eabi thumbv6m-none-eabi; do
    found=$("$BIN_DIR/llvm-nm" --defined-only "target/$t/release/int8_sine_core" |
        grep -E ' (__aeabi_[fd](add|sub|mul|div|cmp[a-z]*|2[a-z]+)|__aeabi_[iu]2[fd]|__aeabi_l2[fd]|__(add|sub|mul|div)[sd]f3|__(fix|float)[a-z]*[sd]f[a-z]*|__(eq|ne|lt|le|gt|ge|unord)[sd]f2|roundf?|sqrtf?|expf?)$' || true)
    if [ -n "$found" ]; then
        echo "$t: soft-float routines in integer inference:"; echo "$found"; fail=1
    else
        echo "$t: none"
    fi
done
exit $fail
