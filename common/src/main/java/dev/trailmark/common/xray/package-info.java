/**
 * X-Ray subsegments for the Lambda handlers. A module that uses this package declares {@code
 * com.amazonaws:aws-xray-recorder-sdk-core} itself (it is optional here).
 */
package dev.trailmark.common.xray;
