package org.vigil.crm.internal.cib;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every element with an {@code id}, by id, in document order: resolves {@code id-ref}s (which must name exactly
 * one element of the same kind, as Pacemaker's XPath lookup requires). Built once per document; read-only after.
 */
public final class IdIndex {

    private final Map<String, Object> byId = new HashMap<>();

    public IdIndex(XmlElement root) {
        add(root);
    }

    private void add(XmlElement e) {
        String id = e.get("id");
        if (id != null) {
            Object prev = byId.get(id);
            if (prev == null) {
                byId.put(id, e);
            } else if (prev instanceof XmlElement p) {
                List<XmlElement> l = new ArrayList<>(2);
                l.add(p);
                l.add(e);
                byId.put(id, l);
            } else {
                @SuppressWarnings("unchecked")
                List<XmlElement> l = (List<XmlElement>) prev;
                l.add(e);
            }
        }
        for (XmlElement c : e.kids()) {
            add(c);
        }
    }

    /** The single element named {@code name} with this id, or null when there is none or more than one. */
    public XmlElement unique(String name, String id) {
        Object o = byId.get(id);
        if (o == null) {
            return null;
        }
        if (o instanceof XmlElement e) {
            return e.is(name) ? e : null;
        }
        @SuppressWarnings("unchecked")
        List<XmlElement> l = (List<XmlElement>) o;
        XmlElement found = null;
        for (XmlElement e : l) {
            if (e.is(name)) {
                if (found != null) {
                    return null;
                }
                found = e;
            }
        }
        return found;
    }

    /** The first element (any name) with this id, or null. */
    public XmlElement first(String id) {
        Object o = byId.get(id);
        if (o instanceof XmlElement e) {
            return e;
        }
        if (o != null) {
            @SuppressWarnings("unchecked")
            List<XmlElement> l = (List<XmlElement>) o;
            return l.get(0);
        }
        return null;
    }

    /** The first element named {@code name} with this id, or null. */
    public XmlElement firstNamed(String name, String id) {
        Object o = byId.get(id);
        if (o instanceof XmlElement e) {
            return e.is(name) ? e : null;
        }
        if (o != null) {
            @SuppressWarnings("unchecked")
            List<XmlElement> l = (List<XmlElement>) o;
            for (XmlElement e : l) {
                if (e.is(name)) {
                    return e;
                }
            }
        }
        return null;
    }

    public boolean contains(String id) {
        return byId.containsKey(id);
    }
}
