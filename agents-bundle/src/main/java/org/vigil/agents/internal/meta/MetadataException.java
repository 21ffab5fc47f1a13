package org.vigil.agents.internal.meta;

/** Meta-data that cannot be obtained or used; the message names the agent and the place. */
public final class MetadataException extends Exception {

    private static final long serialVersionUID = 1L;

    public MetadataException(String message) {
        super(message);
    }
}
