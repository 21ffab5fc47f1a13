package org.vigil.crm.cib.internal.patch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vigil.crm.api.cib.XmlNode;

/**
 * Applies a v2 patchset to a document. Follows {@code xml_apply_patchset_v2()} in Pacemaker's
 * {@code lib/common/patchset.c}, strictly: a change that does not fit the document (a path that names nothing, an
 * element to create that exists already) is a {@link Conflict} and nothing is applied, so a patchset made against
 * one copy either applies exactly or not at all to another.
 *
 * <p>Thread-safe (stateless); the input document is never modified.
 */
public final class Patcher {

    private Patcher() {
    }

    /** A patchset that does not fit the document it was applied to. */
    public static final class Conflict extends Exception {
        private static final long serialVersionUID = 1L;

        public Conflict(String message) {
            super(message);
        }
    }

    /**
     * The document with every change applied; the root's version attributes are left as they are.
     *
     * @throws Conflict if a change does not fit, naming the change
     */
    public static XmlNode apply(XmlNode root, Patchset patch) throws Conflict {
        XmlNode doc = root;
        for (Patchset.Change c : patch.changes()) {
            doc = apply(doc, c);
        }
        return doc;
    }

    private static XmlNode apply(XmlNode doc, Patchset.Change c) throws Conflict {
        if (c instanceof Patchset.Delete d) {
            int[] at = resolve(doc, d.path(), "delete");
            if (at.length == 0) {
                throw new Conflict("delete " + d.path() + ": the root cannot be deleted");
            }
            int[] parent = java.util.Arrays.copyOf(at, at.length - 1);
            return doc.replaceAt(parent, doc.at(parent).minusChild(at[at.length - 1]));
        }
        if (c instanceof Patchset.Create cr) {
            int[] at = resolve(doc, cr.path(), "create");
            XmlNode parent = doc.at(at);
            String id = cr.element().id();
            if (id != null && parent.indexOf(cr.element().name(), id) >= 0) {
                throw new Conflict("create " + cr.path() + "/" + cr.element().name() + "[@id='" + id
                    + "']: it exists already");
            }
            return doc.replaceAt(at, parent.plusChild(cr.position(), cr.element()));
        }
        if (c instanceof Patchset.Move mv) {
            int[] at = resolve(doc, mv.path(), "move");
            if (at.length == 0) {
                throw new Conflict("move " + mv.path() + ": the root cannot move");
            }
            int[] parentPath = java.util.Arrays.copyOf(at, at.length - 1);
            XmlNode parent = doc.at(parentPath);
            int from = at[at.length - 1];
            XmlNode moving = parent.children().get(from);
            XmlNode without = parent.minusChild(from);
            return doc.replaceAt(parentPath, without.plusChild(mv.position(), moving));
        }
        Patchset.Modify m = (Patchset.Modify) c;
        int[] at = resolve(doc, m.path(), "modify");
        return doc.replaceAt(at, modify(doc.at(at), m));
    }

    private static int[] resolve(XmlNode doc, String path, String what) throws Conflict {
        int[] at = XmlPath.resolve(doc, path);
        if (at == null) {
            throw new Conflict(what + " " + path + ": no such element");
        }
        return at;
    }

    /** Sets and unsets the attributes, then orders them as the change's result lists them. */
    static XmlNode modify(XmlNode n, Patchset.Modify m) {
        XmlNode out = n;
        for (Patchset.AttrChange a : m.attributes()) {
            out = out.with(a.name(), a.value());
        }
        if (m.result() == null) {
            return out;
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < m.result().attributeCount(); i++) {
            String name = m.result().attributeName(i);
            String v = out.attribute(name);
            if (v != null) {
                ordered.put(name, v);
            }
        }
        for (int i = 0; i < out.attributeCount(); i++) {
            if (!ordered.containsKey(out.attributeName(i))) {
                rest.add(out.attributeName(i));
            }
        }
        if (rest.isEmpty() && sameOrder(out, ordered)) {
            return out;
        }
        // attributes the result does not name (e.g. version attributes on the root) keep their place in front
        Map<String, String> all = new LinkedHashMap<>();
        for (String r : rest) {
            all.put(r, out.attribute(r));
        }
        all.putAll(ordered);
        return out.withAttributes(all);
    }

    private static boolean sameOrder(XmlNode n, Map<String, String> ordered) {
        int i = 0;
        for (String k : ordered.keySet()) {
            if (!n.attributeName(i++).equals(k)) {
                return false;
            }
        }
        return true;
    }
}
