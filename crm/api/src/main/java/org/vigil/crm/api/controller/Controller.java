package org.vigil.crm.api.controller;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The node's controller (Pacemaker's {@code pacemaker-controld}), as tools see it: who the DC is, where this node's
 * controller stands, and the steps it took (the timeline).
 */
@ProviderType
public interface Controller {

    /** Where the controller stands now. */
    ControllerStatus status();

    /** The steps recorded on this node, oldest first (at most the last few thousand). */
    List<TimelineEvent> timeline();
}
