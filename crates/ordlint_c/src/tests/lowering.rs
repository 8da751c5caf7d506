use super::render;
use crate::lower;

#[test]
fn scratch() {
    let src = std::fs::read_to_string("/tmp/scratch.c").unwrap_or_default();
    println!("{}", render::file(&lower(&src), &src));
}
