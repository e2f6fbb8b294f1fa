//! What the threads of one unit-split step share: a spinning barrier between its phases,
//! buffers each thread writes its own rows of and then every thread reads, and the network's
//! tensors, each thread writing its own rows.
//!
//! The step is one pool region (`broadcast`): a futex wake-up a step and thread, not one a
//! phase. Between phases the threads wait at [`SpinBarrier`], which spins (a phase is a few
//! microseconds of work on both cores) and yields the core after [`SPINS`] rounds, so a
//! thread whose partner was preempted does not burn its own time slice.
//!
//! The `unsafe` here is the one thing split borrows cannot say: that rows a thread wrote
//! before a barrier are read by the other threads after it. The rule every caller keeps:
//! between two barriers, each element of an [`Exchange`] or [`Tensors`] is either written by
//! one thread and touched by no other, or only read.

#![allow(unsafe_code)]

use core::cell::UnsafeCell;
use core::ops::Range;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::boxed::Box;
use std::vec::Vec;

/// Rounds of spinning before a waiting thread yields its core (about 10-20 us).
const SPINS: u32 = 1 << 12;

/// A reusable barrier for a fixed number of threads that spins instead of sleeping.
pub(super) struct SpinBarrier {
    arrived: AtomicUsize,
    generation: AtomicUsize,
}

impl SpinBarrier {
    pub(super) fn new() -> Self {
        SpinBarrier {
            arrived: AtomicUsize::new(0),
            generation: AtomicUsize::new(0),
        }
    }

    /// Waits until `threads` threads have called it since it last opened. Everything a
    /// thread wrote before it happens-before what any thread does after it.
    pub(super) fn wait(&self, threads: usize) {
        let generation = self.generation.load(Ordering::Acquire);
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == threads {
            self.arrived.store(0, Ordering::Relaxed);
            self.generation.fetch_add(1, Ordering::Release);
            return;
        }
        let mut spins = 0u32;
        while self.generation.load(Ordering::Acquire) == generation {
            if spins < SPINS {
                core::hint::spin_loop();
                spins += 1;
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// A column-major block (`height` rows a column) that threads write rows of and all read.
pub(super) struct Exchange<T> {
    cells: Box<[UnsafeCell<T>]>,
    height: usize,
}

// SAFETY: the cells are accessed only through `rows_mut` and `column`, whose callers keep
// the rule of the module documentation (no element written by one thread while another
// touches it between two barriers), and `T` values move between threads (`T: Send`).
unsafe impl<T: Send> Sync for Exchange<T> {}

impl<T: Copy + Default> Exchange<T> {
    pub(super) fn new(height: usize, columns: usize) -> Self {
        let cells = (0..height * columns)
            .map(|_| UnsafeCell::new(T::default()))
            .collect::<Vec<_>>();
        Exchange {
            cells: cells.into_boxed_slice(),
            height,
        }
    }

    /// Rows `rows` of column `col`, to write.
    ///
    /// # Safety
    /// Until the next barrier no other thread touches these elements.
    #[allow(clippy::mut_from_ref)]
    pub(super) unsafe fn rows_mut(&self, col: usize, rows: Range<usize>) -> &mut [T] {
        let cells = &self.cells[col * self.height..][rows];
        // SAFETY: `cells` is in bounds (sliced above); `UnsafeCell<T>` has `T`'s layout, so
        // the cells are `len` consecutive `T`s; no other reference to them exists until the
        // next barrier (the caller's promise).
        unsafe { core::slice::from_raw_parts_mut(UnsafeCell::raw_get(cells.as_ptr()), cells.len()) }
    }

    /// The whole block, to write.
    ///
    /// # Safety
    /// Until the next barrier no other thread touches it.
    #[allow(clippy::mut_from_ref)]
    pub(super) unsafe fn all_mut(&self) -> &mut [T] {
        // SAFETY: the cells are `len` consecutive `T`s (`UnsafeCell<T>` has `T`'s layout); no
        // other reference to them exists until the next barrier (the caller's promise).
        unsafe {
            core::slice::from_raw_parts_mut(
                UnsafeCell::raw_get(self.cells.as_ptr()),
                self.cells.len(),
            )
        }
    }

    /// Column `col`, to read.
    ///
    /// # Safety
    /// Until the next barrier no thread writes it.
    pub(super) unsafe fn column(&self, col: usize) -> &[T] {
        let cells = &self.cells[col * self.height..][..self.height];
        // SAFETY: in bounds; nobody writes these elements while the slice lives (the
        // caller's promise).
        unsafe { core::slice::from_raw_parts(UnsafeCell::raw_get(cells.as_ptr()), cells.len()) }
    }
}

/// The network's tensors as raw pointers, so threads can each update their own rows.
pub(super) struct Tensors<T> {
    raw: Vec<(*mut T, usize)>,
}

// SAFETY: the pointers are used only through `whole` and `part_mut`, under the module's
// rule, while the `&mut` network they came from is borrowed by the step (`Tensors::reset`
// is called with it for each step and the pointers are not used after the step).
unsafe impl<T: Send> Send for Tensors<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Tensors<T> {}

impl<T> Tensors<T> {
    pub(super) fn with_capacity(tensors: usize) -> Self {
        Tensors {
            raw: Vec::with_capacity(tensors),
        }
    }

    /// Points at a step's tensors, given as `(pointer, length)` of each slice (no
    /// allocation once the capacity is reached).
    pub(super) fn reset(&mut self, tensors: impl Iterator<Item = (*mut T, usize)>) {
        self.raw.clear();
        self.raw.extend(tensors);
    }

    /// Tensor `i`, to read.
    ///
    /// # Safety
    /// The step that set the pointers is running, and until the next barrier no thread
    /// writes tensor `i`.
    pub(super) unsafe fn whole(&self, i: usize) -> &[T] {
        let (ptr, len) = self.raw[i];
        // SAFETY: `ptr, len` is a live slice of the network (the step borrows it mutably
        // for its whole run), unwritten while this lives (the caller's promise).
        unsafe { core::slice::from_raw_parts(ptr, len) }
    }

    /// Elements `range` of tensor `i`, to write.
    ///
    /// # Safety
    /// As [`whole`](Self::whole), and until the next barrier no other thread touches them.
    #[allow(clippy::mut_from_ref)]
    pub(super) unsafe fn part_mut(&self, i: usize, range: Range<usize>) -> &mut [T] {
        let (ptr, len) = self.raw[i];
        assert!(range.start <= range.end && range.end <= len);
        // SAFETY: in bounds (asserted); the elements belong to this thread until the next
        // barrier (the caller's promise).
        unsafe { core::slice::from_raw_parts_mut(ptr.add(range.start), range.len()) }
    }
}
