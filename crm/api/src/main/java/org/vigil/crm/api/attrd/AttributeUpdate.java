package org.vigil.crm.api.attrd;

import java.time.Duration;
import java.util.Objects;

/**
 * One change of a node attribute, as {@code attrd_updater}, {@code crm_attribute -l reboot}, the controller (fail
 * counts) and resource agents ask for it. Made with {@link #set}, {@link #delete} or {@link #delayOnly} and the
 * {@code on}/{@code with}/{@code in} methods.
 *
 * @param name      the attribute's name (non-empty)
 * @param node      the node whose attribute it is (its name), or null for the local node
 * @param setsValue true if the update sets (or deletes) the value; false if it only changes the delay
 *                  ({@code attrd_updater -Y})
 * @param value     the new value, or null to delete it; {@code value++} and {@code value+=N} are expanded
 *                  against the current value (an unset value counts as 0; the result is capped at INFINITY,
 *                  1000000)
 * @param delay     the attribute's new dampening delay, or null to keep it (a new attribute has none)
 * @param set       the id of the {@code instance_attributes} element to write into, or null for Pacemaker's
 *                  default ({@code status-<nodeid>}, {@code nodes-<nodeid>}); taken when the attribute is first
 *                  seen, as Pacemaker does
 * @param lifetime  where the value lives: {@link Lifetime#REBOOT} in the status section, {@link Lifetime#FOREVER}
 *                  in the configuration ({@code nodes})
 * @param isPrivate true to keep the value in attrd's memory only, never in the CIB; taken when the attribute is
 *                  first seen, as Pacemaker does
 * @param user      the user on whose behalf the CIB is written, or null for root
 */
public record AttributeUpdate(String name, String node, boolean setsValue, String value, Duration delay, String set,
                              Lifetime lifetime, boolean isPrivate, String user) {

    /** Where an attribute's value is kept. */
    public enum Lifetime {
        /** Transient: {@code status/node_state/transient_attributes}, gone when the node leaves or restarts. */
        REBOOT,
        /** Permanent: {@code configuration/nodes/node/instance_attributes}. */
        FOREVER
    }

    public AttributeUpdate {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("an attribute needs a name");
        }
        if (!setsValue && value != null) {
            throw new IllegalArgumentException("a delay-only update carries no value");
        }
        if (delay != null && delay.isNegative()) {
            throw new IllegalArgumentException("a delay cannot be negative: " + delay);
        }
        lifetime = lifetime == null ? Lifetime.REBOOT : lifetime;
        user = user == null ? "root" : user;
    }

    /** Sets {@code name} to {@code value} on the local node (null deletes it), without changing its delay. */
    public static AttributeUpdate set(String name, String value) {
        return new AttributeUpdate(name, null, true, value, null, null, Lifetime.REBOOT, false, null);
    }

    /** Deletes {@code name}'s value on the local node. */
    public static AttributeUpdate delete(String name) {
        return set(name, null);
    }

    /** Changes only {@code name}'s delay (the attribute must exist). */
    public static AttributeUpdate delayOnly(String name, Duration delay) {
        return new AttributeUpdate(name, null, false, null, Objects.requireNonNull(delay, "delay"), null,
            Lifetime.REBOOT, false, null);
    }

    /** The same update for node {@code node} (null: the local node). */
    public AttributeUpdate on(String node) {
        return new AttributeUpdate(name, node, setsValue, value, delay, set, lifetime, isPrivate, user);
    }

    /** The same update also setting the delay (null: keep it). */
    public AttributeUpdate withDelay(Duration newDelay) {
        return new AttributeUpdate(name, node, setsValue, value, newDelay, set, lifetime, isPrivate, user);
    }

    /** The same update into the attribute set {@code setId}. */
    public AttributeUpdate in(String setId) {
        return new AttributeUpdate(name, node, setsValue, value, delay, setId, lifetime, isPrivate, user);
    }

    /** The same update with lifetime {@code l}. */
    public AttributeUpdate with(Lifetime l) {
        return new AttributeUpdate(name, node, setsValue, value, delay, set, l, isPrivate, user);
    }

    /** The same update of a private attribute (never written to the CIB). */
    public AttributeUpdate privately() {
        return new AttributeUpdate(name, node, setsValue, value, delay, set, lifetime, true, user);
    }

    /** The same update on behalf of {@code u}. */
    public AttributeUpdate byUser(String u) {
        return new AttributeUpdate(name, node, setsValue, value, delay, set, lifetime, isPrivate, u);
    }
}
