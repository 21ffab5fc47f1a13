package org.vigil.crm.internal.scheduler.model;

import org.vigil.crm.internal.cib.Role;

/**
 * A colocation: {@code dependent} wants to be (score &gt; 0) or not be (score &lt; 0) where {@code primary} is,
 * optionally only in given roles and by a node attribute instead of the node itself.
 *
 * <p>Follows {@code pcmk__colocation_t} (include/pcmki/pcmki_scheduler.h).
 */
public final class Colocation {

    public final String id;
    public final Resource dependent;
    public final Resource primary;
    public final int score;
    public final Role dependentRole;
    public final Role primaryRole;
    public final String nodeAttribute;
    public final boolean influence;

    public Colocation(String id, Resource dependent, Resource primary, int score, Role dependentRole, Role primaryRole,
               String nodeAttribute, boolean influence) {
        this.id = id;
        this.dependent = dependent;
        this.primary = primary;
        this.score = score;
        this.dependentRole = dependentRole;
        this.primaryRole = primaryRole;
        this.nodeAttribute = nodeAttribute;
        this.influence = influence;
    }

    @Override
    public String toString() {
        return id + "(" + dependent.id + " with " + primary.id + " " + score + ")";
    }
}
