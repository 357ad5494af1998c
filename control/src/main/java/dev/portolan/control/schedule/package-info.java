/** Five-field cron expressions (and macros), evaluated in UTC or a named time zone. Pure. */
package dev.portolan.control.schedule;
