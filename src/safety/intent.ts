/**
 * The intent check: a request that only asks to look ("list", "show", "how big") should not produce a command that
 * changes or deletes things. When it does, the level goes up one step and the reasons say why.
 */

const READ_ONLY_REQUEST =
  /\b(list|lists|listing|show|shows|display|print|find|finds|search|count|how (big|many|much|large|long|old)|what|which|where|who|when|view|see|look|check|tell me|get|report|summari[sz]e|compare|diff|size of|disk usage|is there|are there|does|do i have|locate|grep|read|inspect|describe|preview|explain)\b/i;
const CHANGE_REQUEST =
  /\b(delete|deletes|remove|rm|erase|wipe|clean|clear|purge|prune|drop|truncate|kill|stop|restart|reboot|shutdown|shut down|install|uninstall|upgrade|update|create|make|add|write|save|move|rename|copy|cp|mv|change|set|edit|modify|replace|fix|format|chmod|chown|compress|extract|unzip|zip|download|upload|push|commit|merge|rebase|reset|checkout|deploy|run|start|execute|apply|enable|disable|mount|unmount|send|convert|generate|append|overwrite|empty|free up|sort .* into|archive|backup|back up|sync|rotate|destroy|force)\b/i;

/** Whether a plain-language request only asks to read or inspect. */
export function isReadOnlyRequest(request: string): boolean {
  return READ_ONLY_REQUEST.test(request) && !CHANGE_REQUEST.test(request);
}
