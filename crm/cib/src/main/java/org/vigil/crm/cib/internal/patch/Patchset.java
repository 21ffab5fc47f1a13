package org.vigil.crm.cib.internal.patch;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.vigil.crm.api.CibException;
import org.vigil.crm.api.cib.CibVersion;
import org.vigil.crm.api.cib.XmlNode;

/**
 * A v2 patchset ({@code <diff format="2">}, Pacemaker's {@code lib/common/patchset.c}): the versions before and
 * after, then the changes: every {@link Delete} first, then, in the new document's order, {@link Create} (the new
 * element whole, at a position among its parent's children), {@link Modify} (attributes set and unset, with the
 * element's attributes after the change) and {@link Move} (an element to another position).
 *
 * <p>Immutable.
 *
 * @param source  the version it applies to
 * @param target  the version it makes
 * @param changes the changes, in the order they apply
 */
public record Patchset(CibVersion source, CibVersion target, List<Change> changes) {

    public Patchset {
        Objects.requireNonNull(source);
        Objects.requireNonNull(target);
        changes = List.copyOf(changes);
    }

    /** One change of a patchset. */
    public sealed interface Change permits Delete, Create, Modify, Move {
        /** The path of the element the change is about (for a create: its parent). */
        String path();
    }

    /** Removes the element at {@code path}. */
    public record Delete(String path) implements Change {
    }

    /** Inserts {@code element} (with its subtree) as the {@code position}-th child of the element at {@code path}. */
    public record Create(String path, int position, XmlNode element) implements Change {
    }

    /** One attribute change: a null value unsets it. */
    public record AttrChange(String name, String value) {
    }

    /**
     * Sets and unsets attributes of the element at {@code path}; {@code result} is the element's attributes after
     * the change (no children), which also gives their order.
     */
    public record Modify(String path, List<AttrChange> attributes, XmlNode result) implements Change {
        public Modify {
            attributes = List.copyOf(attributes);
        }
    }

    /** Moves the element at {@code path} to be the {@code position}-th child of its parent. */
    public record Move(String path, int position) implements Change {
    }

    /** True if it changes nothing but the version. */
    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** True if any change is inside {@code /cib/configuration} (or at the root): the epoch moves. */
    public boolean changesConfiguration() {
        for (Change c : changes) {
            String p = c.path();
            if (p.startsWith("/cib/configuration") || p.equals("/cib") && !(c instanceof Modify m && onlyVersionAttrs(m))) {
                return true;
            }
        }
        return false;
    }

    private static boolean onlyVersionAttrs(Modify m) {
        for (AttrChange a : m.attributes()) {
            if (!Differ.VOLATILE_ROOT.contains(a.name()) && !Differ.VERSION.contains(a.name())) {
                return false;
            }
        }
        return true;
    }

    /** As XML: {@code <diff format="2">}. */
    public XmlNode toXml() {
        List<XmlNode> children = new ArrayList<>();
        children.add(XmlNode.of("version").withChildren(List.of(versionXml("source", source),
            versionXml("target", target))));
        for (Change c : changes) {
            XmlNode x = XmlNode.of("change", "operation", operation(c), "path", c.path());
            if (c instanceof Create cr) {
                x = x.with("position", Integer.toString(cr.position())).plusChild(cr.element());
            } else if (c instanceof Move mv) {
                x = x.with("position", Integer.toString(mv.position()));
            } else if (c instanceof Modify m) {
                {
                    XmlNode list = XmlNode.of("change-list");
                    for (AttrChange a : m.attributes()) {
                        list = list.plusChild(a.value() == null
                            ? XmlNode.of("change-attr", "name", a.name(), "operation", "unset")
                            : XmlNode.of("change-attr", "name", a.name(), "operation", "set", "value", a.value()));
                    }
                    x = x.plusChild(list);
                    if (m.result() != null) {
                        x = x.plusChild(XmlNode.of("change-result").plusChild(m.result()));
                    }
                }
            }
            children.add(x);
        }
        return XmlNode.of("diff", "format", "2").withChildren(children);
    }

    private static String operation(Change c) {
        if (c instanceof Delete) {
            return "delete";
        }
        if (c instanceof Create) {
            return "create";
        }
        return c instanceof Modify ? "modify" : "move";
    }

    private static XmlNode versionXml(String name, CibVersion v) {
        return XmlNode.of(name, "admin_epoch", Long.toString(v.adminEpoch()), "epoch", Long.toString(v.epoch()),
            "num_updates", Long.toString(v.numUpdates()));
    }

    /** Reads {@code <diff format="2">}; errors name what is wrong. */
    public static Patchset fromXml(XmlNode diff, String source) throws CibException {
        if (!diff.is("diff")) {
            throw new CibException(source, diff.line(), diff.column(), "expected a <diff> element, found <"
                + diff.name() + ">");
        }
        if (!"2".equals(diff.attribute("format"))) {
            throw new CibException(source, diff.line(), diff.column(), "only patchsets of format 2 are supported "
                + "(found format '" + diff.attribute("format") + "')");
        }
        XmlNode version = diff.firstChild("version");
        CibVersion from = version == null || version.firstChild("source") == null ? CibVersion.ZERO
            : CibVersion.of(version.firstChild("source"));
        CibVersion to = version == null || version.firstChild("target") == null ? from
            : CibVersion.of(version.firstChild("target"));
        List<Change> changes = new ArrayList<>();
        for (XmlNode c : diff.children("change")) {
            String op = c.attribute("operation");
            String path = c.attribute("path");
            if (path == null || XmlPath.parse(path) == null) {
                throw new CibException(source, c.line(), c.column(), "change without a valid path: '" + path + "'");
            }
            switch (op == null ? "" : op) {
                case "delete" -> changes.add(new Delete(path));
                case "create" -> {
                    if (c.children().size() != 1) {
                        throw new CibException(source, c.line(), c.column(), "a create change holds exactly one "
                            + "element");
                    }
                    changes.add(new Create(path, position(c, source), c.children().get(0)));
                }
                case "move" -> changes.add(new Move(path, position(c, source)));
                case "modify" -> {
                    List<AttrChange> attrs = new ArrayList<>();
                    XmlNode list = c.firstChild("change-list");
                    if (list != null) {
                        for (XmlNode a : list.children("change-attr")) {
                            String name = a.attribute("name");
                            String aop = a.attribute("operation");
                            if (name == null || !("set".equals(aop) || "unset".equals(aop))) {
                                throw new CibException(source, a.line(), a.column(), "malformed change-attr");
                            }
                            attrs.add(new AttrChange(name, "set".equals(aop) ? a.attribute("value", "") : null));
                        }
                    }
                    XmlNode resultHolder = c.firstChild("change-result");
                    XmlNode result = resultHolder == null || resultHolder.children().isEmpty() ? null
                        : resultHolder.children().get(0).withoutChildren();
                    changes.add(new Modify(path, attrs, result));
                }
                default -> throw new CibException(source, c.line(), c.column(), "unknown change operation '" + op
                    + "'");
            }
        }
        return new Patchset(from, to, changes);
    }

    private static int position(XmlNode c, String source) throws CibException {
        String p = c.attribute("position");
        try {
            int v = p == null ? Integer.MAX_VALUE : Integer.parseInt(p.strip());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new CibException(source, c.line(), c.column(), "invalid position '" + p + "'");
        }
    }
}
