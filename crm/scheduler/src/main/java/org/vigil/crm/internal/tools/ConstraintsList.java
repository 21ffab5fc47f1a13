package org.vigil.crm.internal.tools;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.vigil.crm.internal.cib.Role;
import org.vigil.crm.internal.cib.Score;
import org.vigil.crm.internal.scheduler.model.Colocation;
import org.vigil.crm.internal.scheduler.model.Location;
import org.vigil.crm.internal.scheduler.model.NodeScore;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.output.MonitorXml;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;

/**
 * {@code crm_resource --constraints} and {@code --stack}: the location constraints of a resource, the resources
 * colocated with it and those it is colocated with (with {@code --stack}, their own colocations in turn), as
 * Pacemaker 2.1.5's {@code locations-and-colocations} message prints them (lib/pacemaker/pcmk_output.c): in its
 * "fancy" text form, or as XML elements.
 */
final class ConstraintsList {

    private final WorkingSet ws;
    private final boolean recursive;
    /** Pacemaker's {@code pe_rsc_allocating} flag: the resources already listed in the current pass. */
    private final Set<Resource> visited = new HashSet<>();
    private final FancyText text;
    /** The XML form's elements, when XML was asked for. */
    private final List<String> xml;

    private ConstraintsList(WorkingSet ws, boolean recursive, FancyText text, List<String> xml) {
        this.ws = ws;
        this.recursive = recursive;
        this.text = text;
        this.xml = xml;
    }

    /**
     * The text form. Follows {@code locations_and_colocations()}: constraints are unpacked, and without
     * {@code force} a group member or clone instance is shown as its top resource.
     */
    static String text(WorkingSet ws, Resource rsc, boolean recursive, boolean force) {
        Scheduler.unpackConstraints(ws);
        Resource r = force ? rsc : rsc.top();
        FancyText t = new FancyText();
        ConstraintsList l = new ConstraintsList(ws, recursive, t, null);
        l.locations(r);
        l.visited.clear();
        l.colocatedWith(r);
        l.visited.clear();
        l.isColocatedWith(r);
        return t.toString();
    }

    /**
     * The XML form: a {@code constraints} element of {@code rsc_location} and {@code rsc_colocation} elements,
     * indented by {@code indent}. Follows {@code locations_and_colocations_xml()}.
     */
    static String xml(WorkingSet ws, Resource rsc, boolean recursive, boolean force, String indent) {
        Scheduler.unpackConstraints(ws);
        Resource r = force ? rsc : rsc.top();
        List<String> elements = new ArrayList<>();
        ConstraintsList l = new ConstraintsList(ws, recursive, null, elements);
        l.locationsXml(r);
        l.visited.clear();
        l.colocatedWithXml(r);
        l.visited.clear();
        l.isColocatedWithXml(r);
        StringBuilder b = new StringBuilder();
        if (elements.isEmpty()) {
            return b.append(indent).append("<constraints/>\n").toString();
        }
        b.append(indent).append("<constraints>\n");
        for (String e : elements) {
            b.append(indent).append("  ").append(e).append('\n');
        }
        return b.append(indent).append("</constraints>\n").toString();
    }

    /** Follows {@code locations_list()}: every node of every location constraint of the resource. */
    private void locations(Resource rsc) {
        boolean open = false;
        for (Location l : rsc.locations) {
            for (NodeScore n : l.nodes) {
                if (!open) {
                    text.begin("Locations");
                    open = true;
                }
                text.item("Node " + n.node.uname + " (score=" + Score.toString(n.weight) + ", id=" + l.id
                    + ", rsc=" + rsc.id + ")");
            }
        }
        if (open) {
            text.end();
        }
    }

    /** Follows {@code colocations_header()}. */
    private static String header(Resource rsc, Colocation c, boolean dependents) {
        if (c.primaryRole.gt(Role.STARTED)) {
            return rsc.id + " (score=" + Score.toString(c.score) + ", " + (dependents ? "needs" : "with")
                + " role=" + c.primaryRole.text() + ", id=" + c.id + ")";
        }
        return rsc.id + " (score=" + Score.toString(c.score) + ", id=" + c.id + ")";
    }

    /** Follows {@code rscs_colocated_with_list()}: the dependents of the resource. */
    private void colocatedWith(Resource rsc) {
        if (!visited.add(rsc)) {
            return;
        }
        boolean open = false;
        for (Colocation c : rsc.withThis) {
            if (!open) {
                text.begin("Resources colocated with " + rsc.id);
                open = true;
            }
            if (visited.contains(c.dependent)) {
                text.item(c.dependent.id + " (id=" + c.id + " - loop)");
                continue;
            }
            text.item(header(c.dependent, c, true));
            text.begin(null);
            locations(c.dependent);
            if (recursive) {
                colocatedWith(c.dependent);
            }
            text.end();
        }
        if (open) {
            text.end();
        }
    }

    /** Follows {@code rsc_is_colocated_with_list()}: the primaries of the resource. */
    private void isColocatedWith(Resource rsc) {
        if (!visited.add(rsc)) {
            return;
        }
        boolean open = false;
        for (Colocation c : rsc.thisWith) {
            if (!open) {
                text.begin("Resources " + rsc.id + " is colocated with");
                open = true;
            }
            if (visited.contains(c.primary)) {
                text.item(c.primary.id + " (id=" + c.id + " - loop)");
                continue;
            }
            text.item(header(c.primary, c, false));
            text.begin(null);
            locations(c.primary);
            if (recursive) {
                isColocatedWith(c.primary);
            }
            text.end();
        }
        if (open) {
            text.end();
        }
    }

    private static String esc(String s) {
        StringBuilder b = new StringBuilder();
        MonitorXml.escape(b, s);
        return b.toString();
    }

    /** Follows {@code do_locations_list_xml()}. */
    private void locationsXml(Resource rsc) {
        for (Location l : rsc.locations) {
            for (NodeScore n : l.nodes) {
                xml.add("<rsc_location node=\"" + esc(n.node.uname) + "\" rsc=\"" + esc(rsc.id)
                    + "\" id=\"" + esc(l.id) + "\" score=\"" + Score.toString(n.weight) + "\"/>");
            }
        }
    }

    /** Follows {@code colocations_xml_node()}. */
    private void colocationXml(Colocation c) {
        StringBuilder b = new StringBuilder("<rsc_colocation id=\"").append(esc(c.id))
            .append("\" rsc=\"").append(esc(c.dependent.id)).append("\" with-rsc=\"")
            .append(esc(c.primary.id)).append("\" score=\"").append(Score.toString(c.score)).append('"');
        if (c.nodeAttribute != null) {
            b.append(" node-attribute=\"").append(esc(c.nodeAttribute)).append('"');
        }
        if (c.dependentRole != Role.UNKNOWN) {
            b.append(" rsc-role=\"").append(c.dependentRole.text()).append('"');
        }
        if (c.primaryRole != Role.UNKNOWN) {
            b.append(" with-rsc-role=\"").append(c.primaryRole.text()).append('"');
        }
        xml.add(b.append("/>").toString());
    }

    /** Follows {@code rscs_colocated_with_list_xml()}. */
    private void colocatedWithXml(Resource rsc) {
        if (!visited.add(rsc)) {
            return;
        }
        for (Colocation c : rsc.withThis) {
            colocationXml(c);
            if (visited.contains(c.dependent)) {
                continue;
            }
            locationsXml(c.dependent);
            if (recursive) {
                colocatedWithXml(c.dependent);
            }
        }
    }

    /** Follows {@code rsc_is_colocated_with_list_xml()}. */
    private void isColocatedWithXml(Resource rsc) {
        if (!visited.add(rsc)) {
            return;
        }
        for (Colocation c : rsc.thisWith) {
            colocationXml(c);
            if (visited.contains(c.primary)) {
                continue;
            }
            locationsXml(c.primary);
            if (recursive) {
                isColocatedWithXml(c.primary);
            }
        }
    }
}
