package org.vigil.crm.internal.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vigil.crm.api.cib.CibRequest;
import org.vigil.crm.api.cib.XmlNode;
import org.vigil.crm.internal.scheduler.model.Colocation;
import org.vigil.crm.internal.scheduler.model.Node;
import org.vigil.crm.internal.scheduler.model.Resource;
import org.vigil.crm.internal.scheduler.model.WorkingSet;
import org.vigil.crm.internal.scheduler.schedule.Scheduler;
import org.vigil.crm.internal.tools.CrmResourceCommand.Failed;

/**
 * A resource's attributes as {@code crm_resource} reads and writes them ({@code tools/crm_resource_runtime.c} of
 * Pacemaker 2.1.5): instance attributes (the agent's parameters), meta-attributes ({@code --meta}) and utilization
 * ({@code --utilization}), with {@code --set-name} and {@code --nvpair} to pick the set and the nvpair.
 *
 * <p>Where a value goes follows Pacemaker: a meta-attribute asked of a clone's child goes to the clone unless the
 * child has it already; asked of a clone whose child has it, to the child; asked of a group, to every member that has
 * it and to the group ({@code --force}: exactly the resource named). An instance attribute is refused while the top
 * resource has a meta-attribute of the same name (unless forced).
 *
 * <p>Each change is one CIB request through the CIB service (modify or delete in the resources section). All the
 * lookups are done before the first request, so a refusal (several nvpairs match) writes nothing.
 *
 * <p>One instance per invocation; not thread-safe.
 */
final class ResourceAttributes {

    static final String INSTANCE = "instance_attributes";
    static final String META = "meta_attributes";
    static final String UTILIZATION = "utilization";

    private final CrmResourceCommand.Run run;
    /**
     * While a change is planned: what it will do, in order (lines to print, {@link Change}s to make), so that the
     * output comes in Pacemaker's order although nothing is written before the whole change is known to be valid.
     */
    private List<Object> steps;

    ResourceAttributes(CrmResourceCommand.Run run) {
        this.run = run;
    }

    /** One planned change: the request and the line printed once it is done. */
    private record Change(CibRequest request, String message) {
    }

    /** An informational line ({@code out->info()}), now or in its place in the plan. */
    private void info(String line) {
        if (steps != null) {
            steps.add((Runnable) () -> run.info(line));
        } else {
            run.info(line);
        }
    }

    /** An empty line ({@code out->spacer()}), now or in its place in the plan. */
    private void spacer() {
        if (steps != null) {
            steps.add((Runnable) run.out::println);
        } else {
            run.out.println();
        }
    }

    /**
     * The nvpairs below the element(s) with id {@code rscId} in the resources section: in the sets of type
     * {@code setType} (any when null; the set with id {@code setName} when given), with id {@code attrId} and/or name
     * {@code name}. Several matches are listed as Pacemaker lists them. Follows {@code find_resource_attr()}.
     */
    List<XmlNode> find(String rscId, String setType, String setName, String attrId, String name) {
        List<XmlNode> found = new ArrayList<>();
        XmlNode conf = run.cib.current().root().firstChild("configuration");
        XmlNode resources = conf == null ? null : conf.firstChild("resources");
        if (resources != null) {
            for (XmlNode e : descendants(resources, new ArrayList<>())) {
                if (!rscId.equals(e.attribute("id"))) {
                    continue;
                }
                List<XmlNode> roots = new ArrayList<>();
                if (setType == null) {
                    roots.add(e);
                } else {
                    for (XmlNode s : e.children(setType)) {
                        if (setName == null || setName.equals(s.attribute("id"))) {
                            roots.add(s);
                        }
                    }
                }
                for (XmlNode s : roots) {
                    for (XmlNode nv : descendants(s, new ArrayList<>())) {
                        if (nv.is("nvpair") && (attrId == null || attrId.equals(nv.attribute("id")))
                            && (name == null || name.equals(nv.attribute("name"))) && !found.contains(nv)) {
                            found.add(nv);
                        }
                    }
                }
            }
        }
        if (found.size() > 1) {
            info("Multiple attributes match name=" + name);
            for (XmlNode nv : found) {
                info("  Value: " + nv.attribute("value") + " \t(id=" + nv.attribute("id") + ")");
            }
            spacer();
        }
        return found;
    }

    private static List<XmlNode> descendants(XmlNode x, List<XmlNode> into) {
        for (XmlNode c : x.children()) {
            into.add(c);
            descendants(c, into);
        }
        return into;
    }

    /** 0 found, 1 found, or several (Pacemaker's ENXIO, OK, ENOTUNIQ). */
    private static boolean one(List<XmlNode> found) {
        return found.size() == 1;
    }

    /**
     * The resources a meta-attribute change applies to, the requested one last. Follows
     * {@code find_matching_attr_resources()} and {@code find_matching_attr_resources_recursive()}.
     */
    private List<Resource> matching(Resource rsc, String requested, String setName, String setType, String attrId,
                                    String name, String cmd) {
        List<Resource> result = new ArrayList<>();
        if (run.force) {
            result.add(rsc);
            return result;
        }
        if (rsc.parent != null && rsc.parent.isClone()) {
            if (!one(find(requested, setType, setName, attrId, name))) {
                rsc = rsc.parent;
                info("Performing " + cmd + " of '" + name + "' on '" + rsc.id + "', the parent of '"
                    + requested + "'");
            }
            result.add(rsc);
            return result;
        }
        if (rsc.parent == null && rsc.isClone() && !rsc.children.isEmpty()) {
            Resource child = rsc.children.get(0);
            if (child.variant == Resource.Variant.PRIMITIVE) {
                String lookup = WorkingSet.cloneStrip(child.id);
                if (one(find(lookup, setType, setName, attrId, name))) {
                    rsc = child;
                    info("A value for '" + name + "' already exists in child '" + lookup + "', performing "
                        + cmd + " on that instead of '" + requested + "'");
                }
            }
            result.add(rsc);
            return result;
        }
        recursive(rsc, setName, setType, attrId, name, 0, result);
        return result;
    }

    private void recursive(Resource rsc, String setName, String setType, String attrId, String name, int depth,
                           List<Resource> result) {
        for (Resource c : rsc.children) {
            recursive(c, setName, setType, attrId, name, depth + 1, result);
            if (rsc.isClone()) {
                break;
            }
        }
        if (one(find(WorkingSet.cloneStrip(rsc.id), setType, setName, attrId, name)) || depth == 0) {
            result.add(rsc);
        }
    }

    /**
     * {@code --set-parameter}: sets {@code name=value} in the sets of type {@code setType} of the resource (or of
     * the resources Pacemaker picks, see the class comment); with {@code recursive} and meta-attributes, also of the
     * resources colocated with it. Follows {@code cli_resource_update_attribute()}.
     */
    void update(Resource rsc, String requested, String setName, String setType, String attrId, String name,
                String value, boolean recursive) throws Failed, InterruptedException {
        steps = new ArrayList<>();
        try {
            planUpdate(rsc, requested, setName, setType, attrId, name, value, recursive, new ArrayList<>());
        } catch (Failed f) {
            apply(false);
            throw f;
        }
        apply(true);
    }

    private void planUpdate(Resource rsc, String requested, String setName, String setType, String attrId,
                            String name, String value, boolean recursive, List<Resource> visited) throws Failed {
        if (attrId == null && !run.force) {
            find(rsc.top().id, null, null, null, name);
        }
        List<Resource> resources;
        if (INSTANCE.equals(setType)) {
            if (!run.force) {
                List<XmlNode> meta = find(rsc.top().id, META, setName, attrId, name);
                if (one(meta) && !run.quiet) {
                    run.err.println("WARNING: There is already a meta attribute for '" + rsc.top().id + "' called '"
                        + name + "' (id=" + meta.get(0).attribute("id") + ")");
                    run.err.println("         Delete '" + meta.get(0).attribute("id") + "' first or use the force "
                        + "option to override");
                }
                if (one(meta)) {
                    throw CrmResourceCommand.operationFailed(CrmResourceCommand.EX_MULTIPLE, null);
                }
            }
            resources = List.of(rsc);
        } else {
            resources = matching(rsc, requested, setName, setType, attrId, name, "update");
        }
        if ((setName != null || attrId != null) && !resources.isEmpty()) {
            resources = List.of(resources.get(resources.size() - 1));   // one resource is meant: the last
        }
        String set = setName;
        for (Resource r : resources) {
            String lookup = WorkingSet.cloneStrip(r.id);
            List<XmlNode> found = find(lookup, setType, set, attrId, name);
            if (found.size() > 1) {
                throw CrmResourceCommand.operationFailed(CrmResourceCommand.EX_MULTIPLE, null);
            }
            String id = attrId;
            String shownId;   // Pacemaker prints the id it found or made up: "(null)" for a new --nvpair
            XmlNode update;
            if (one(found)) {
                id = found.get(0).attribute("id");
                shownId = id;
                update = nvpair(id, name, value);
            } else {
                if (set == null) {
                    set = lookup + "-" + setType;
                }
                shownId = id == null ? set + "-" + name : "(null)";
                if (id == null) {
                    id = set + "-" + name;
                }
                update = XmlNode.of(r.xml.name(), "id", lookup).withChildren(List.of(
                    XmlNode.of(setType, "id", set).withChildren(List.of(nvpair(id, name, value)))));
            }
            steps.add(new Change(new CibRequest(CibRequest.Op.MODIFY, "resources", null, update, Set.of(),
                CrmResourceCommand.TOOL, "root"), "Set '" + lookup + "' option: id=" + shownId
                + (set != null ? " set=" + set : "") + " name=" + name + " value=" + value));
            if (recursive && META.equals(setType)) {
                if (visited.isEmpty()) {
                    Scheduler.unpackConstraints(run.ws);
                }
                visited.add(r);
                for (Colocation c : r.withThis) {
                    if (c.score > 0 && !visited.contains(c.dependent)) {
                        planUpdate(c.dependent, c.dependent.id, null, setType, null, name, value, true, visited);
                    }
                }
            }
        }
    }

    private static XmlNode nvpair(String id, String name, String value) {
        return value == null ? XmlNode.of("nvpair", "id", id, "name", name)
            : XmlNode.of("nvpair", "id", id, "name", name, "value", value);
    }

    /**
     * {@code --delete-parameter}: removes the nvpair named {@code name} (of the resources Pacemaker picks for
     * meta-attributes). Absent is not an error. Follows {@code cli_resource_delete_attribute()}, including its
     * reuse of the first nvpair id found for the resources after the first one (so of a group and a member having
     * the attribute, only the member's goes).
     */
    void delete(Resource rsc, String requested, String setName, String setType, String attrId, String name)
        throws Failed, InterruptedException {
        steps = new ArrayList<>();
        try {
            planDelete(rsc, requested, setName, setType, attrId, name);
        } catch (Failed f) {
            apply(false);
            throw f;
        }
        apply(true);
    }

    private void planDelete(Resource rsc, String requested, String setName, String setType, String attrId,
                            String name) throws Failed {
        if (attrId == null && !run.force) {
            find(rsc.top().id, null, null, null, name);
        }
        List<Resource> resources = META.equals(setType)
            ? matching(rsc, requested, setName, setType, attrId, name, "delete") : List.of(rsc);
        String id = attrId;
        for (Resource r : resources) {
            String lookup = WorkingSet.cloneStrip(r.id);
            List<XmlNode> found = find(lookup, setType, setName, id, name);
            if (found.isEmpty()) {
                continue;
            }
            if (found.size() > 1) {
                throw CrmResourceCommand.operationFailed(CrmResourceCommand.EX_MULTIPLE, null);
            }
            String foundId = found.get(0).attribute("id");
            if (id == null) {
                id = foundId;
            }
            steps.add(new Change(new CibRequest(CibRequest.Op.DELETE, "resources", null, nvpair(id, name, null),
                Set.of(), CrmResourceCommand.TOOL, "root"), "Deleted '" + lookup + "' option: id=" + foundId
                + (setName != null ? " set=" + setName : "") + " name=" + name));
        }
    }

    /**
     * Carries out the plan: prints its lines and, when {@code write}, makes its changes (each one CIB request)
     * and prints what each did. Without {@code write} (a refused plan) only the lines are printed.
     */
    private void apply(boolean write) throws Failed, InterruptedException {
        List<Object> plan = steps;
        steps = null;
        for (Object step : plan) {
            if (step instanceof Change c) {
                if (write) {
                    run.submit(c.request(), false);
                    run.info(c.message());
                }
            } else {
                ((Runnable) step).run();
            }
        }
    }

    /**
     * {@code --get-parameter}: the value of {@code name} as the cluster sees it (instance attributes evaluated for
     * the node the resource is active on, meta-attributes with their inherited values, utilization). Prints the
     * value, or "Attribute 'X' not found for 'RSC'" on standard error (exit status 0, as Pacemaker's).
     */
    void get(Resource rsc, String setType, String name) {
        int[] count = new int[1];
        Node current = run.active(rsc, count);
        if (count[0] > 1) {
            run.err.println(rsc.id + " is active on more than one node, returning the default value for "
                + (name == null ? "unspecified property" : name));
            current = null;
        }
        Map<String, String> params;
        if (INSTANCE.equals(setType)) {
            params = rsc.params(current);
        } else if (META.equals(setType)) {
            params = new LinkedHashMap<>();
            run.ws.metaAttributes(params, rsc, current);
        } else {
            params = new LinkedHashMap<>();
            run.ws.rules.unpackNvpairs(rsc.xml, UTILIZATION, run.ws.ruleContext(null), params, null, false);
        }
        String value = params.get(name);
        if (value != null) {
            run.out.println(value);
        } else {
            run.err.println("Attribute '" + name + "' not found for '" + rsc.id + "'");
        }
    }
}
