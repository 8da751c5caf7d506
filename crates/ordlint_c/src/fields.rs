//! Field lookup by name without tree-sitter's per-call scan of every field name.
//!
//! `Node::child_by_field_name` compares the name with each of the grammar's field names on
//! every call (`strncmp` was 2% of a whole-tree run); the lowering asks for fields at every
//! expression, so the ids are looked up once, in a hash map.

use rustc_hash::FxHashMap;
use std::sync::LazyLock;
use tree_sitter::Node;

/// Field name → field id of tree-sitter-c.
static FIELD_IDS: LazyLock<FxHashMap<&'static str, u16>> = LazyLock::new(|| {
    let language: tree_sitter::Language = tree_sitter_c::LANGUAGE.into();
    (1..=language.field_count() as u16)
        .filter_map(|id| Some((language.field_name_for_id(id)?, id)))
        .collect()
});

/// [`Node::child_by_field_name`] through the cached field ids.
pub(crate) trait Fields<'t> {
    /// The child of this node in field `name` (`None` for a name the grammar does not have).
    fn field(&self, name: &str) -> Option<Node<'t>>;
}

impl<'t> Fields<'t> for Node<'t> {
    fn field(&self, name: &str) -> Option<Node<'t>> {
        FIELD_IDS
            .get(name)
            .and_then(|id| self.child_by_field_id(*id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_as_by_name() {
        let source = "int f(int x) { return x ? g(x) : (int)x; }";
        let Some(tree) = crate::lower::parse(source) else {
            panic!("no tree")
        };
        let mut stack = vec![tree.root_node()];
        let names = [
            "declarator",
            "body",
            "condition",
            "consequence",
            "alternative",
            "value",
        ];
        let mut found = 0;
        while let Some(n) = stack.pop() {
            for name in names {
                assert_eq!(n.field(name), n.child_by_field_name(name), "{name}");
                found += usize::from(n.field(name).is_some());
            }
            let mut cursor = n.walk();
            stack.extend(n.children(&mut cursor));
        }
        assert!(found >= 6, "{found}");
        assert_eq!(tree.root_node().field("no_such_field"), None);
    }
}
