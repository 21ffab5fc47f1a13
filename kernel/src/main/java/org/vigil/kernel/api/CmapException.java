package org.vigil.kernel.api;

/** A refused cmap operation; {@link #error()} names corosync's matching {@code CS_ERR_*} code. */
public class CmapException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why an operation was refused, with corosync's error name. */
    public enum Error {
        INVALID_PARAM("CS_ERR_INVALID_PARAM"),
        NOT_EXIST("CS_ERR_NOT_EXIST"),
        ACCESS("CS_ERR_ACCESS"),
        TOO_BIG("CS_ERR_TOO_BIG"),
        NAME_TOO_LONG("CS_ERR_NAME_TOO_LONG");

        private final String csName;

        Error(String csName) {
            this.csName = csName;
        }

        /** The corosync error name, e.g. {@code CS_ERR_NOT_EXIST}. */
        public String csName() {
            return csName;
        }
    }

    private final Error error;

    public CmapException(Error error, String message) {
        super(message);
        this.error = error;
    }

    public Error error() {
        return error;
    }
}
