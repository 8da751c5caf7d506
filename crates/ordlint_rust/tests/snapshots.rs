//! Snapshots of the compact IR rendering for realistic lock-free code.

mod common;

fn snap(src: &str) -> String {
    common::render(src, &ordlint_rust::lower(src))
}

#[test]
fn treiber_stack() {
    let src = r#"
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

pub struct Stack<T> {
    head: AtomicPtr<Node<T>>,
}

struct Node<T> {
    value: T,
    next: *mut Node<T>,
}

impl<T> Stack<T> {
    pub fn push(&self, value: T) {
        let node = Box::into_raw(Box::new(Node { value, next: ptr::null_mut() }));
        loop {
            let head = self.head.load(Ordering::Relaxed);
            unsafe { (*node).next = head };
            // Release publishes the node's fields to the popping thread.
            if self
                .head
                .compare_exchange_weak(head, node, Ordering::Release, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }

    pub fn pop(&self) -> Option<T> {
        loop {
            let head = self.head.load(Ordering::Acquire);
            if head.is_null() {
                return None;
            }
            let next = unsafe { (*head).next };
            if self.head.compare_exchange(head, next, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                let node = unsafe { Box::from_raw(head) };
                return Some(node.value);
            }
        }
    }
}
"#;
    insta::assert_snapshot!(snap(src));
}

#[test]
fn arc_like_refcount_drop() {
    let src = r#"
use std::sync::atomic::{fence, AtomicUsize, Ordering::{Acquire, Relaxed, Release}};

struct Inner<T> {
    strong: AtomicUsize,
    data: T,
}

pub struct MyArc<T> {
    ptr: *mut Inner<T>,
}

impl<T> Clone for MyArc<T> {
    fn clone(&self) -> Self {
        unsafe { (*self.ptr).strong.fetch_add(1, Relaxed) };
        MyArc { ptr: self.ptr }
    }
}

impl<T> Drop for MyArc<T> {
    fn drop(&mut self) {
        if unsafe { (*self.ptr).strong.fetch_sub(1, Release) } != 1 {
            return;
        }
        /* Pairs with the Release decrement of the other owners. */
        fence(Acquire);
        unsafe { drop(Box::from_raw(self.ptr)) };
    }
}
"#;
    insta::assert_snapshot!(snap(src));
}

#[test]
fn spsc_ring_buffer() {
    let src = r#"
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicUsize, Ordering};

pub struct Ring<const N: usize> {
    buf: [UnsafeCell<u32>; N],
    head: AtomicUsize, // consumer index
    tail: AtomicUsize, // producer index
}

impl<const N: usize> Ring<N> {
    pub fn push(&self, v: u32) -> Result<(), u32> {
        let tail = self.tail.load(Ordering::Relaxed);
        if tail.wrapping_sub(self.head.load(Ordering::Acquire)) == N {
            return Err(v);
        }
        unsafe { *self.buf[tail % N].get() = v };
        self.tail.store(tail.wrapping_add(1), Ordering::Release);
        Ok(())
    }

    pub fn pop(&self) -> Option<u32> {
        let head = self.head.load(Ordering::Relaxed);
        if head == self.tail.load(Ordering::Acquire) {
            return None;
        }
        let v = unsafe { *self.buf[head % N].get() };
        self.head.store(head.wrapping_add(1), Ordering::Release);
        Some(v)
    }
}
"#;
    insta::assert_snapshot!(snap(src));
}

#[test]
fn once_cell_ready_flag() {
    let src = r#"
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering as AtOrd};

pub struct Once<T> {
    ready: AtomicBool,
    value: UnsafeCell<Option<T>>,
}

impl<T> Once<T> {
    pub fn get(&self) -> Option<&T> {
        if self.ready.load(AtOrd::Acquire) {
            unsafe { (*self.value.get()).as_ref() }
        } else {
            None
        }
    }

    pub fn set(&self, v: T) {
        unsafe { *self.value.get() = Some(v) };
        self.ready.store(true, AtOrd::Relaxed); // too weak: should be Release
    }
}
"#;
    insta::assert_snapshot!(snap(src));
}
