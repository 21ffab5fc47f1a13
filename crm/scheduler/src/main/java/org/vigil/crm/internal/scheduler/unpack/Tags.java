package org.vigil.crm.internal.scheduler.unpack;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.internal.cib.XmlElement;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;

/**
 * Expands tag and template references in constraints into resource sets, as Pacemaker does before unpacking:
 * a {@code resource_ref} naming a tag becomes refs to the tagged resources; an {@code rsc}/{@code first}/...
 * attribute naming a tag becomes a non-sequential {@code resource_set}.
 *
 * <p>Follows {@code pcmk__expand_tags_in_sets()} and {@code pcmk__tag_to_set()} in
 * lib/pacemaker/pcmk_sched_constraints.c, with the per-constraint {@code unpack_*_tags()} functions.
 */
public final class Tags {

    /** Returned when the constraint is invalid and must be ignored. */
    public static final XmlElement INVALID = new XmlElement("invalid", 0, 0);

    private final WorkingSet ws;

    public Tags(WorkingSet ws) {
        this.ws = ws;
    }

    /**
     * The tag's (or template's) resource ids, null when {@code id} names neither (or an unused one). Follows {@code
     * pcmk__valid_resource_or_tag()} in lib/pacemaker/pcmk_sched_constraints.c.
     */
    private List<String> findTag(String id) {
        if (ws.templateRscSets.containsKey(id)) {
            return ws.templateRscSets.get(id);
        }
        if (ws.tags.containsKey(id)) {
            return ws.tags.get(id);
        }
        return null;
    }

    private boolean isTagOrTemplate(String id) {
        return ws.templateRscSets.containsKey(id) || ws.tags.containsKey(id);
    }

    /**
     * A copy with tag refs expanded, or null when nothing needs expanding. Follows {@code
     * pcmk__expand_tags_in_sets()} in lib/pacemaker/pcmk_sched_constraints.c.
     */
    XmlElement expandTagsInSets(XmlElement xml) {
        if (xml.firstChild("resource_set") == null) {
            return null;
        }
        XmlElement copy = xml.deepCopy();
        boolean anyRefs = false;
        for (XmlElement set : copy.children("resource_set")) {
            List<XmlElement> tagRefs = new ArrayList<>();
            for (XmlElement ref : new ArrayList<>(set.children("resource_ref"))) {
                String id = ref.get("id");
                if (ws.findConstraintResource(id) != null) {
                    continue;
                }
                List<String> tag = findTag(id);
                if (tag == null) {
                    ws.warn("Ignoring resource sets for constraint '" + xml.get("id") + "' because '" + id
                        + "' is not a valid resource or tag");
                    return INVALID;
                }
                XmlElement last = ref;
                for (String objRef : tag) {
                    XmlElement n = new XmlElement("resource_ref", ref.line(), ref.column());
                    n.set("id", objRef);
                    set.addChildAfter(last, n);
                    last = n;
                }
                anyRefs = true;
                tagRefs.add(ref);
            }
            for (XmlElement r : tagRefs) {
                set.removeChild(r);
            }
        }
        return anyRefs ? copy : null;
    }

    /**
     * pcmk__tag_to_set: replaces attribute {@code attr} (a tag, or a resource when {@code convertRsc}) with a
     * resource_set child; returns the set, null when nothing was converted, INVALID on error.
     *
     * <p>Follows {@code pcmk__tag_to_set()} in lib/pacemaker/pcmk_sched_constraints.c.
     */
    XmlElement tagToSet(XmlElement xml, String attr, boolean convertRsc) {
        String consId = xml.get("id");
        String id = xml.get(attr);
        if (consId == null) {
            return INVALID;
        }
        if (id == null) {
            return null;
        }
        Resource rsc = ws.findConstraintResource(id);
        XmlElement set;
        if (rsc == null) {
            List<String> tag = findTag(id);
            if (tag == null) {
                ws.warn("Ignoring constraint '" + consId + "' because '" + id + "' is not a valid resource or tag");
                return INVALID;
            }
            set = new XmlElement("resource_set", xml.line(), xml.column());
            set.set("id", id);
            for (String objRef : tag) {
                XmlElement r = new XmlElement("resource_ref", xml.line(), xml.column());
                r.set("id", objRef);
                set.addChild(r);
            }
            set.set("sequential", "false");
            xml.addChild(set);
        } else if (convertRsc) {
            set = new XmlElement("resource_set", xml.line(), xml.column());
            set.set("id", id);
            XmlElement r = new XmlElement("resource_ref", xml.line(), xml.column());
            r.set("id", id);
            set.addChild(r);
            xml.addChild(set);
        } else {
            return null;
        }
        xml.removeAttribute(attr);
        return set;
    }

    /** Whether {@code id} is a resource, tag or template (warns when it is none). */
    private boolean valid(String id) {
        if (ws.findConstraintResource(id) != null) {
            return true;
        }
        if (isTagOrTemplate(id) && findTag(id) != null) {
            return true;
        }
        return false;
    }

    /**
     * Expands tags and templates in a single-resource constraint ({@code rsc_location}, {@code rsc_ticket}): an
     * {@code rsc} naming a tag becomes a resource set of its members (with {@code rsc-role} as the set's role).
     *
     * @return the expanded copy, null when there was nothing to expand, {@link #INVALID} for a broken constraint
     *
     * <p>Follows {@code pcmk__expand_tags_in_sets()} in lib/pacemaker/pcmk_sched_constraints.c.
     */
    public XmlElement expandSingleResourceTags(XmlElement xml) {
        String id = xml.get("id");
        if (id == null) {
            return INVALID;
        }
        XmlElement expanded = expandTagsInSets(xml);
        if (expanded != null) {
            return expanded;
        }
        String rscId = xml.get("rsc");
        if (rscId == null) {
            return null;
        }
        if (!valid(rscId)) {
            ws.warn("Ignoring constraint '" + id + "' because '" + rscId + "' is not a valid resource or tag");
            return INVALID;
        }
        if (ws.findConstraintResource(rscId) != null) {
            return null;
        }
        XmlElement copy = xml.deepCopy();
        XmlElement set = sideToSet(copy, "rsc", false, "rsc-role", "role");
        return set == INVALID ? INVALID : set != null ? copy : null;
    }

    /**
     * {@link #tagToSet} for one side of a constraint, moving the side's own attribute ({@code valueAttr}, e.g.
     * {@code rsc-role} or {@code first-action}) onto the new set as {@code setAttr}.
     *
     * <p>Follows {@code pcmk__tag_to_set()} in lib/pacemaker/pcmk_sched_constraints.c.
     */
    private XmlElement sideToSet(XmlElement copy, String refAttr, boolean convertRsc, String valueAttr,
                                 String setAttr) {
        String value = copy.get(valueAttr);
        XmlElement set = tagToSet(copy, refAttr, convertRsc);
        if (set != null && set != INVALID && value != null) {
            set.set(setAttr, value);
            copy.removeAttribute(valueAttr);
        }
        return set;
    }

    /** Follows {@code unpack_colocation_tags()} in lib/pacemaker/pcmk_sched_colocation.c. */
    public XmlElement expandColocationTags(XmlElement xml) {
        String id = xml.get("id");
        if (id == null) {
            return INVALID;
        }
        XmlElement expanded = expandTagsInSets(xml);
        if (expanded != null) {
            return expanded;
        }
        String depId = xml.get("rsc");
        String primId = xml.get("with-rsc");
        if (depId == null || primId == null) {
            return null;
        }
        if (!valid(depId) || !valid(primId)) {
            ws.warn("Ignoring constraint '" + id + "' because it refers to an invalid resource or tag");
            return INVALID;
        }
        boolean depRsc = ws.findConstraintResource(depId) != null;
        boolean primRsc = ws.findConstraintResource(primId) != null;
        if (depRsc && primRsc) {
            return null;
        }
        if (!depRsc && !primRsc) {
            ws.warn("Ignoring constraint '" + id + "' because two templates or tags cannot be colocated");
            return INVALID;
        }
        XmlElement copy = xml.deepCopy();
        XmlElement depSet = sideToSet(copy, "rsc", true, "rsc-role", "role");
        if (depSet == INVALID) {
            return INVALID;
        }
        XmlElement primSet = sideToSet(copy, "with-rsc", true, "with-rsc-role", "role");
        if (primSet == INVALID) {
            return INVALID;
        }
        return depSet != null || primSet != null ? copy : null;
    }

    /** Follows {@code unpack_order_tags()} in lib/pacemaker/pcmk_sched_ordering.c. */
    public XmlElement expandOrderTags(XmlElement xml) {
        XmlElement expanded = expandTagsInSets(xml);
        if (expanded != null) {
            return expanded;
        }
        String idFirst = xml.get("first");
        String idThen = xml.get("then");
        if (idFirst == null || idThen == null) {
            return null;
        }
        if (!valid(idFirst)) {
            ws.warn("Ignoring constraint '" + xml.get("id") + "' because '" + idFirst
                + "' is not a valid resource or tag");
            return INVALID;
        }
        if (!valid(idThen)) {
            ws.warn("Ignoring constraint '" + xml.get("id") + "' because '" + idThen
                + "' is not a valid resource or tag");
            return INVALID;
        }
        if (ws.findConstraintResource(idFirst) != null && ws.findConstraintResource(idThen) != null) {
            return null;
        }
        XmlElement copy = xml.deepCopy();
        XmlElement setFirst = sideToSet(copy, "first", true, "first-action", "action");
        if (setFirst == INVALID) {
            return INVALID;
        }
        XmlElement setThen = sideToSet(copy, "then", true, "then-action", "action");
        if (setThen == INVALID) {
            return INVALID;
        }
        return setFirst != null || setThen != null ? copy : null;
    }

}
