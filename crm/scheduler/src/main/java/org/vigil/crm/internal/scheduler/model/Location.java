package org.vigil.crm.internal.scheduler.model;

import java.util.ArrayList;
import java.util.List;
import org.vigil.crm.internal.cib.Role;

/**
 * A location preference: scores for a resource on some nodes, optionally for one role only.
 *
 * <p>Follows {@code pe__location_t} (include/pcmki/pcmki_scheduler.h).
 */
public final class Location {

    public final String id;
    public final Resource rsc;
    public List<NodeScore> nodes = new ArrayList<>();
    public Role roleFilter = Role.UNKNOWN;
    public int discoverMode = NodeScore.DISCOVER_ALWAYS;

    public Location(String id, Resource rsc) {
        this.id = id;
        this.rsc = rsc;
    }
}
