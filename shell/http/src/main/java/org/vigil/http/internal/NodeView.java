package org.vigil.http.internal;

import org.vigil.crm.api.cib.Cib;
import org.vigil.crm.api.controller.Controller;
import org.vigil.crm.api.fencer.Fencer;
import org.vigil.kernel.api.Cmap;
import org.vigil.kernel.api.Cpg;
import org.vigil.kernel.api.QuorumService;
import org.vigil.kernel.api.command.AdminCommand;

/**
 * The services the endpoint reads, as they are at the moment of a request: the kernel's are always there, the
 * CRM's come and go (a bundle stopped or being upgraded), so every getter but {@link #nodeName} and {@link #cmap} may
 * return null, and a caller asks again at its next request rather than keeping the object.
 */
public interface NodeView {

    /** This node's name. */
    String nodeName();

    /** This node's id. */
    int nodeId();

    Cmap cmap();

    QuorumService quorum();

    Cpg cpg();

    Cib cib();

    Controller controller();

    Fencer fencer();

    /** The highest-ranked admin command of that name, or null while no bundle offers it. */
    AdminCommand command(String name);
}
