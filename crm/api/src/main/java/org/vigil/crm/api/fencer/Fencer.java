package org.vigil.crm.api.fencer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The cluster's fencer, as Pacemaker's {@code pacemaker-fenced}: every node runs one. Each registers the fence
 * devices of the CIB ({@code primitive class="stonith"}) that its node may run, and the fencers together carry out
 * every fencing request over their CPG group: the fencer that takes a request asks every peer which of its devices
 * can fence the target, picks a device and the node to run it (following the target's {@code fencing-topology}
 * levels when there are any, else the devices in CIB order), has that node run it with the device's timeout, and
 * tries the next device or level when one fails. Every fencer records the result in its history and tells its
 * listeners.
 *
 * <p>An operation survives the loss of the node that asked: another fencer carries it on and it ends on every
 * remaining node. A request for a target and action already in progress anywhere in the cluster, from another
 * client, is merged into it: the target is fenced once and both requests complete with that result.
 *
 * <p>Thread-safe. No method blocks for longer than it takes the fencer's thread to answer.
 */
@ProviderType
public interface Fencer {

    /**
     * Fences {@code target}.
     *
     * @param target  the node to fence (a node name)
     * @param action  reboot, off or on
     * @param client  who asks, for the history (e.g. {@code pacemaker-controld.1234})
     * @param timeout how long each device may take (a device's {@code pcmk_<action>_timeout} overrides it), or
     *                null for the cluster's {@code stonith-timeout} (default 60 s)
     * @return completes, never exceptionally, with the operation's final {@link FenceEvent}: {@link
     *         FenceEvent.State#DONE} once the target was fenced, {@link FenceEvent.State#FAILED} with a reason when
     *         it could not be (no device can fence it, every device failed, time ran out, the fencer stopped)
     */
    CompletionStage<FenceEvent> fence(String target, FenceAction action, String client, Duration timeout);

    /**
     * Records that {@code target} was fenced by hand ({@code stonith_admin --confirm}): an admin made sure it is
     * down. No device runs; the history and every listener get a {@link FenceEvent.State#DONE} event for an
     * {@code off} with no delegate. A fencing operation in progress for the target ends with it.
     *
     * @return completes with that event once the cluster has it
     */
    CompletionStage<FenceEvent> confirm(String target, String client);

    /**
     * The fencing history this node has seen, or learnt from its peers when it joined (Pacemaker's
     * {@code stonith_admin --history}): the ended operations oldest first, then those in progress; bounded as
     * Pacemaker's (the newest ones kept).
     *
     * @param target a node, or null for every node
     */
    List<FenceEvent> history(String target);

    /** The fence devices registered on this node (from the CIB), sorted by id. */
    List<String> registeredDevices();

    /**
     * The devices, on any node, that can fence {@code target} ({@code stonith_admin --list}): every fencer is
     * asked, as for a fencing request.
     *
     * @return completes with the device ids, sorted, without duplicates
     */
    CompletionStage<List<String>> devicesFor(String target);

    /**
     * Calls {@code listener} with every fencing operation that ends anywhere in the cluster while this node is a
     * member (Pacemaker's {@code st_notify_fence}), on the fencer's thread; it must not block.
     *
     * @return closing it stops the calls
     */
    AutoCloseable listen(Consumer<FenceEvent> listener);

    /** This node's name. */
    String localNode();

    /** The default total timeout, when neither the request nor {@code stonith-timeout} gives one. */
    Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
}
