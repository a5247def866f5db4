/**
 * Command requests over the bus: `edgex.device.command.request.<service>.<device>.<command>.<get|set>`, served in a
 * queue group named after the service (so replicas share the load), through the same pipeline as REST.
 * GET takes `ds-pushevent` / `ds-returnevent` / `ds-regexcmd` from the envelope's queryParams and answers `{ event }`;
 * SET takes the settings map as payload and answers `{}`. Errors travel as error envelopes (kind and code intact).
 */
import {
  ErrorCode, ErrorKind, ServiceError, parseCommandRequestSubject, serviceCommandRequests, type CommandReplyPayload, type CommandRequestPayload, type Subject,
} from "@brink/contracts";
import type { MessageBus, Subscription } from "@brink/bus";
import type { CommandPipeline } from "../pipeline/command-pipeline.js";

function invalid(message: string): ServiceError {
  return new ServiceError(ErrorKind.ContractInvalid, ErrorCode.RequestInvalid, message);
}

/** Serves this service's command requests; unsubscribe the result to stop. */
export function serveCommandRequests(bus: MessageBus, serviceName: string, pipeline: CommandPipeline): Subscription {
  return bus.serve<CommandRequestPayload, CommandReplyPayload>(
    serviceCommandRequests(serviceName) as Subject<CommandRequestPayload>,
    async (msg) => {
      const parts = parseCommandRequestSubject(msg.subject);
      if (parts === undefined || parts.service !== serviceName) throw invalid(`not a command request for ${serviceName}: ${msg.subject}`);
      if (parts.method === "get") {
        const qp = msg.envelope.queryParams ?? {};
        const event = await pipeline.executeRead(parts.device, parts.command, {
          pushEvent: qp["ds-pushevent"] === "true",
          returnEvent: qp["ds-returnevent"] !== "false",
          regexCmd: qp["ds-regexcmd"] !== "false",
        });
        return event === undefined ? {} : { event };
      }
      const settings = msg.envelope.payload;
      if (settings === null || typeof settings !== "object" || Array.isArray(settings)) throw invalid("a SET command payload must be an object of settings");
      await pipeline.executeWrite(parts.device, parts.command, settings);
      return {};
    },
    { queue: serviceName },
  );
}
