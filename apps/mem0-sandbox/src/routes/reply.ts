import type { FastifyReply } from "fastify";
import type { Answer } from "../context.js";

/** Sends a service's answer. */
export function send(reply: FastifyReply, answer: Answer): FastifyReply {
  return reply.code(answer.status).send(answer.body);
}

/** A path parameter by name (fastify types params loosely). */
export function param(params: unknown, name: string): string {
  return String((params as Record<string, unknown>)[name] ?? "");
}

/** The query string as a plain record. */
export function queryOf(query: unknown): Record<string, unknown> {
  return (query ?? {}) as Record<string, unknown>;
}
