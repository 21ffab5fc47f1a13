/**
 * The controller as tools see it: the DC, the controller's state and the timeline of its steps.
 */
@Export
@Version("1.1.0")
package org.vigil.crm.api.controller;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
