//! A freestanding x86-64 Linux program that trains XOR and prints its truth table.
//!
//! No libc, no `std`, no global allocator (any use of the heap would fail the build with "no
//! global memory allocator found"). The kernel starts us at `_start`; we print with the raw
//! `write` system call and leave with `exit_group`. The only `unsafe` code is here: the two
//! system calls, and the memory functions that the compiler's generated code calls and libc
//! would otherwise provide. `dl-core` without its `std` feature, as here, stays
//! `#![forbid(unsafe_code)]`.
//!
//! ```text
//! cd embedded/freestanding && cargo run --release
//! ```
#![no_std]
#![no_main]
// Keep LLVM from turning the loops of `memcpy` and friends back into calls to themselves.
#![no_builtins]

use core::arch::{asm, global_asm};
use core::fmt;

/// Writes to a file descriptor with the `write` system call (number 1), retrying until every
/// byte is out.
struct Fd(i32);

impl fmt::Write for Fd {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut bytes = s.as_bytes();
        while !bytes.is_empty() {
            let written: isize;
            // SAFETY: `write(fd, ptr, len)` only reads `len` bytes from `ptr`, which point into
            // `bytes`; the kernel clobbers rcx and r11, declared below.
            unsafe {
                asm!(
                    "syscall",
                    inlateout("rax") 1isize => written,
                    in("rdi") self.0,
                    in("rsi") bytes.as_ptr(),
                    in("rdx") bytes.len(),
                    lateout("rcx") _,
                    lateout("r11") _,
                    options(nostack, readonly),
                );
            }
            if written <= 0 {
                return Err(fmt::Error);
            }
            bytes = &bytes[written as usize..];
        }
        Ok(())
    }
}

/// Ends the process with `exit_group` (system call 231).
fn exit(code: i32) -> ! {
    // SAFETY: `exit_group` does not return and touches no memory of ours.
    unsafe {
        asm!("syscall", in("rax") 231, in("rdi") code, options(noreturn, nostack));
    }
}

// The kernel enters with the stack pointer 16-byte aligned and no return address; a Rust
// function expects to be entered by `call` (rsp = 8 mod 16). Align and call `main` properly.
global_asm!(
    ".globl _start",
    "_start:",
    "xor ebp, ebp",
    "and rsp, -16",
    "call {main}",
    "ud2",
    main = sym main,
);

/// Trains XOR, prints the result and exits 0 if it converged, 1 if not, 2 if stdout failed.
extern "C" fn main() -> ! {
    let mut stdout = Fd(1);
    match dl_demos::xor::train_and_report(&mut stdout) {
        Ok(true) => exit(0),
        Ok(false) => exit(1),
        Err(_) => exit(2),
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    use core::fmt::Write;
    let _ = writeln!(Fd(2), "panic: {info}");
    exit(101)
}

// The memory functions the compiler emits calls to (struct copies, zeroing). libc would
// provide them; here they are plain byte loops.

/// # Safety
/// `dest` and `src` are valid for `n` bytes and do not overlap.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    let mut i = 0;
    while i < n {
        *dest.add(i) = *src.add(i);
        i += 1;
    }
    dest
}

/// # Safety
/// `dest` and `src` are valid for `n` bytes; they may overlap.
#[no_mangle]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dest as usize) < (src as usize) {
        let mut i = 0;
        while i < n {
            *dest.add(i) = *src.add(i);
            i += 1;
        }
    } else {
        let mut i = n;
        while i > 0 {
            i -= 1;
            *dest.add(i) = *src.add(i);
        }
    }
    dest
}

/// # Safety
/// `dest` is valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memset(dest: *mut u8, c: i32, n: usize) -> *mut u8 {
    let mut i = 0;
    while i < n {
        *dest.add(i) = c as u8;
        i += 1;
    }
    dest
}

/// # Safety
/// `a` and `b` are valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        let (x, y) = (*a.add(i), *b.add(i));
        if x != y {
            return x as i32 - y as i32;
        }
        i += 1;
    }
    0
}

/// # Safety
/// `a` and `b` are valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    memcmp(a, b, n)
}
