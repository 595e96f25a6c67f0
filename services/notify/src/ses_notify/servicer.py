"""``ses.notify.v1.NotifyService`` over gRPC: request → command, handler in a thread, → response."""

# ruff: noqa: N802 - method names are the RPC names the generated base class dispatches on.

from __future__ import annotations

import asyncio

import grpc.aio

from ses.notify.v1 import notify_pb2 as pb
from ses.notify.v1 import notify_pb2_grpc as rpc
from ses_core.errors import ValidationFailed
from ses_core.platform.grpc import current_actor
from ses_core.platform.grpc.timestamps import instant
from ses_notify import mappers as m
from ses_notify.handlers import NotifyApp, inbox, maintenance, preferences, webhooks
from ses_notify.handlers import deliveries as deliveries_handlers

Context = grpc.aio.ServicerContext[object, object]


class NotifyServicer(rpc.NotifyServiceServicer):
    def __init__(self, app: NotifyApp) -> None:
        self._app = app

    async def ListNotifications(
        self, request: pb.ListNotificationsRequest, context: Context
    ) -> pb.ListNotificationsResponse:
        query = inbox.ListNotifications(
            unread_only=request.unread_only,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        page = await asyncio.to_thread(inbox.list_notifications, self._app, current_actor(), query)
        return pb.ListNotificationsResponse(
            notifications=[m.notification(entry) for entry in page.notifications],
            unread_count=page.unread_count,
            next_page_token=page.next_page_token,
        )

    async def MarkRead(self, request: pb.MarkReadRequest, context: Context) -> pb.MarkReadResponse:
        command = inbox.MarkRead(tuple(request.notification_ids), request.all)
        marked = await asyncio.to_thread(inbox.mark_read, self._app, current_actor(), command)
        return pb.MarkReadResponse(marked_count=marked)

    async def GetPreferences(
        self, request: pb.GetPreferencesRequest, context: Context
    ) -> pb.GetPreferencesResponse:
        owner, value = await asyncio.to_thread(
            preferences.get_preferences, self._app, current_actor(), request.company_id
        )
        return pb.GetPreferencesResponse(preferences=m.preferences(owner, value))

    async def UpdatePreferences(
        self, request: pb.UpdatePreferencesRequest, context: Context
    ) -> pb.UpdatePreferencesResponse:
        if not request.HasField("preferences"):
            raise ValidationFailed(
                "Send the preferences to store (with user_id or company_id set).",
                reason="preferences_missing",
                field="preferences",
            )
        given = request.preferences
        owner_field = given.WhichOneof("owner")
        command = preferences.UpdatePreferences(
            owner=preferences.PreferencesOwner(
                user_id=given.user_id.strip() if owner_field == "user_id" else "",
                company_id=given.company_id.strip() if owner_field == "company_id" else "",
            ),
            choices=m.choices_from_proto(given),
            additional_emails=tuple(given.additional_emails),
        )
        owner, value = await asyncio.to_thread(
            preferences.update_preferences, self._app, current_actor(), command
        )
        return pb.UpdatePreferencesResponse(preferences=m.preferences(owner, value))

    async def ListDeliveries(
        self, request: pb.ListDeliveriesRequest, context: Context
    ) -> pb.ListDeliveriesResponse:
        query = deliveries_handlers.ListDeliveries(
            event_id=request.event_id,
            recipient_user_id=request.recipient_user_id,
            channel=m.channel_from_proto(request.channel),
            statuses=m.statuses_from_proto(list(request.statuses)),
            page_size=request.page_size,
            page_token=request.page_token,
        )
        page = await asyncio.to_thread(
            deliveries_handlers.list_deliveries, self._app, current_actor(), query
        )
        return pb.ListDeliveriesResponse(
            deliveries=[m.delivery(item) for item in page.deliveries],
            next_page_token=page.next_page_token,
        )

    async def ScheduleMaintenance(
        self, request: pb.ScheduleMaintenanceRequest, context: Context
    ) -> pb.ScheduleMaintenanceResponse:
        command = maintenance.ScheduleMaintenance(
            starts_at=instant(request.starts_at, request.HasField("starts_at"), "starts_at"),
            ends_at=instant(request.ends_at, request.HasField("ends_at"), "ends_at"),
            description=request.description,
            emergency=request.emergency,
        )
        window = await asyncio.to_thread(
            maintenance.schedule_maintenance, self._app, current_actor(), command
        )
        return pb.ScheduleMaintenanceResponse(maintenance_window=m.maintenance_window(window))

    async def ListMaintenanceWindows(
        self, request: pb.ListMaintenanceWindowsRequest, context: Context
    ) -> pb.ListMaintenanceWindowsResponse:
        query = maintenance.ListMaintenanceWindows(
            include_past=request.include_past,
            page_size=request.page_size,
            page_token=request.page_token,
        )
        windows, token = await asyncio.to_thread(
            maintenance.list_maintenance_windows, self._app, current_actor(), query
        )
        return pb.ListMaintenanceWindowsResponse(
            maintenance_windows=[m.maintenance_window(window) for window in windows],
            next_page_token=token,
        )

    async def GetOperatingStatus(
        self, request: pb.GetOperatingStatusRequest, context: Context
    ) -> pb.GetOperatingStatusResponse:
        status = await asyncio.to_thread(maintenance.operating_status, self._app)
        response = pb.GetOperatingStatusResponse(
            access_level=m.access_level_to_proto(status.access_level),
            next_change_at=m.timestamp(status.next_change_at),
            as_of=m.timestamp(status.as_of),
        )
        if status.active is not None:
            response.active_maintenance.CopyFrom(m.maintenance_window(status.active))
        return response

    async def CreateWebhookEndpoint(
        self, request: pb.CreateWebhookEndpointRequest, context: Context
    ) -> pb.CreateWebhookEndpointResponse:
        command = webhooks.CreateWebhookEndpoint(
            url=request.url, company_id=request.company_id, agency_id=request.agency_id
        )
        endpoint, secret = await asyncio.to_thread(
            webhooks.create_webhook_endpoint, self._app, current_actor(), command
        )
        return pb.CreateWebhookEndpointResponse(
            webhook_endpoint=m.webhook_endpoint(endpoint), signing_secret=secret
        )

    async def ListWebhookEndpoints(
        self, request: pb.ListWebhookEndpointsRequest, context: Context
    ) -> pb.ListWebhookEndpointsResponse:
        endpoints = await asyncio.to_thread(
            webhooks.list_webhook_endpoints,
            self._app,
            current_actor(),
            request.company_id,
            request.agency_id,
        )
        return pb.ListWebhookEndpointsResponse(
            webhook_endpoints=[m.webhook_endpoint(endpoint) for endpoint in endpoints]
        )

    async def DeleteWebhookEndpoint(
        self, request: pb.DeleteWebhookEndpointRequest, context: Context
    ) -> pb.DeleteWebhookEndpointResponse:
        await asyncio.to_thread(
            webhooks.delete_webhook_endpoint,
            self._app,
            current_actor(),
            request.webhook_endpoint_id,
        )
        return pb.DeleteWebhookEndpointResponse()

    async def CreateWebhookSigningSecret(
        self, request: pb.CreateWebhookSigningSecretRequest, context: Context
    ) -> pb.CreateWebhookSigningSecretResponse:
        endpoint, secret = await asyncio.to_thread(
            webhooks.create_webhook_signing_secret,
            self._app,
            current_actor(),
            request.webhook_endpoint_id,
        )
        return pb.CreateWebhookSigningSecretResponse(
            webhook_endpoint=m.webhook_endpoint(endpoint),
            signing_secret_id=secret.signing_secret_id,
            signing_secret=secret.secret,
        )

    async def DeleteWebhookSigningSecret(
        self, request: pb.DeleteWebhookSigningSecretRequest, context: Context
    ) -> pb.DeleteWebhookSigningSecretResponse:
        command = webhooks.DeleteWebhookSigningSecret(
            request.webhook_endpoint_id, request.signing_secret_id
        )
        endpoint = await asyncio.to_thread(
            webhooks.delete_webhook_signing_secret, self._app, current_actor(), command
        )
        return pb.DeleteWebhookSigningSecretResponse(webhook_endpoint=m.webhook_endpoint(endpoint))
