package org.vigil.crm.internal.pcs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.vigil.crm.api.CibElement;
import org.vigil.crm.internal.cib.XmlElement;

/**
 * Small helpers over the scheduler's mutable {@link XmlElement} for the admin shells' CIB edits: finding by id,
 * ids made the way pcs makes them, name/value sets.
 */
final class Xml {

    private static final Pattern ID_FIRST_NOT = Pattern.compile("[^a-zA-Z_]");
    private static final Pattern ID_REST_NOT = Pattern.compile("[^a-zA-Z0-9_.\\-]");

    private Xml() {
    }

    static XmlElement el(String name, String... nameValues) {
        XmlElement e = new XmlElement(name, 0, 0);
        for (int i = 0; i + 1 < nameValues.length; i += 2) {
            e.set(nameValues[i], nameValues[i + 1]);
        }
        return e;
    }

    /** A private mutable copy of any CIB element. */
    static XmlElement copy(CibElement e) {
        if (e instanceof XmlElement x) {
            return x.deepCopy();
        }
        XmlElement copy = new XmlElement(e.name(), e.line(), e.column());
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            copy.set(a.getKey(), a.getValue());
        }
        for (CibElement c : e.children()) {
            copy.addChild(copy(c));
        }
        return copy;
    }

    /** Every element below (and including) {@code root} matching {@code p}, in document order. */
    static List<XmlElement> all(XmlElement root, Predicate<XmlElement> p) {
        List<XmlElement> out = new ArrayList<>();
        collect(root, p, out);
        return out;
    }

    private static void collect(XmlElement e, Predicate<XmlElement> p, List<XmlElement> out) {
        if (p.test(e)) {
            out.add(e);
        }
        for (XmlElement c : e.kids()) {
            collect(c, p, out);
        }
    }

    static List<XmlElement> named(XmlElement root, String name) {
        return all(root, e -> e.is(name));
    }

    /** The first element with this id in the configuration (or the whole document when it has none). */
    static XmlElement byId(XmlElement cib, String id) {
        XmlElement conf = cib.firstChild("configuration");
        List<XmlElement> l = all(conf == null ? cib : conf, e -> id.equals(e.get("id")));
        return l.isEmpty() ? null : l.get(0);
    }

    static boolean idExists(XmlElement cib, String id) {
        return byId(cib, id) != null;
    }

    /** {@code sanitize_id()} of pcs: characters not allowed in an XML id are dropped. */
    static String sanitize(String id) {
        if (id == null || id.isEmpty()) {
            return id;
        }
        String first = ID_FIRST_NOT.matcher(id.substring(0, 1)).matches() ? "" : id.substring(0, 1);
        return first + ID_REST_NOT.matcher(id.substring(1)).replaceAll("");
    }

    /** {@code find_unique_id()} of pcs: the id, else the id with -1, -2, ... appended until unused. */
    static String unique(XmlElement cib, String id) {
        String candidate = id;
        int n = 1;
        while (idExists(cib, candidate)) {
            candidate = id + "-" + n++;
        }
        return candidate;
    }

    /** The section {@code configuration/NAME}, created (empty) if missing. */
    static XmlElement section(XmlElement cib, String name) {
        XmlElement conf = cib.firstChild("configuration");
        if (conf == null) {
            conf = el("configuration");
            cib.addChild(conf);
        }
        XmlElement s = conf.firstChild(name);
        if (s == null) {
            s = el(name);
            conf.addChild(s);
        }
        return s;
    }

    /** The value of the nvpair named {@code name} in a set, or null. */
    static XmlElement nvpair(XmlElement set, String name) {
        if (set == null) {
            return null;
        }
        for (XmlElement nv : set.children("nvpair")) {
            if (name.equals(nv.get("name"))) {
                return nv;
            }
        }
        return null;
    }

    /**
     * {@code nvset_update()} of pcs: each name set to its value (created with id {@code SET-NAME} made unique), an
     * empty value removes it.
     */
    static void update(XmlElement cib, XmlElement set, Map<String, String> values) {
        for (Map.Entry<String, String> e : values.entrySet()) {
            XmlElement nv = nvpair(set, e.getKey());
            if (e.getValue().isEmpty()) {
                if (nv != null) {
                    set.removeChild(nv);
                }
            } else if (nv != null) {
                nv.set("value", e.getValue());
            } else {
                set.addChild(el("nvpair", "id", unique(cib, sanitize(set.get("id") + "-" + e.getKey())), "name",
                    e.getKey(), "value", e.getValue()));
            }
        }
    }

    /**
     * The first set of this kind of an element ({@code meta_attributes} ...), created with id {@code OWNER-KIND} if
     * missing and {@code create}.
     */
    static XmlElement set(XmlElement cib, XmlElement owner, String kind, boolean create) {
        XmlElement s = owner.firstChild(kind);
        if (s == null && create) {
            s = el(kind, "id", unique(cib, owner.get("id") + "-" + kind));
            // sets come before operations and children, as Pacemaker's schema orders them
            int at = 0;
            List<XmlElement> kids = owner.kids();
            while (at < kids.size() && (kids.get(at).is("instance_attributes") || kids.get(at).is("meta_attributes")
                || kids.get(at).is("utilization"))) {
                at++;
            }
            if (at == 0 && kids.isEmpty()) {
                owner.addChild(s);
            } else if (at == 0) {
                List<XmlElement> rest = new ArrayList<>(kids);
                rest.forEach(owner::removeChild);
                owner.addChild(s);
                rest.forEach(owner::addChild);
            } else {
                owner.addChildAfter(kids.get(at - 1), s);
            }
        }
        return s;
    }

    /** An attribute, or {@code fallback} when the element has none. */
    static String get(XmlElement e, String attr, String fallback) {
        String v = e.get(attr);
        return v == null ? fallback : v;
    }

    static String text(XmlElement e) {
        StringBuilder sb = new StringBuilder();
        e.write(sb, 0);
        return sb.toString();
    }
}
