"""``ses.enrollment.v1.AuthService``: the embedded identity provider over gRPC.

``ActivateAccount``, ``SignIn``, ``RefreshToken`` and ``GetJwks`` are public (no token);
``SignOut`` needs the access token of the session's user.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import grpc
from typing_extensions import override

from ses.enrollment.v1 import enrollment_pb2 as pb
from ses.enrollment.v1 import enrollment_pb2_grpc as pb_grpc
from ses_core.platform.grpc import ServiceRegistration, current_actor
from ses_enrollment import mappers as m
from ses_enrollment.handlers import activation, auth
from ses_enrollment.handlers.common import Deps

Context = Any  # grpc.aio.ServicerContext


class AuthServicer(pb_grpc.AuthServiceServicer):
    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    def registration(self) -> ServiceRegistration:
        def register(server: grpc.aio.Server) -> None:
            pb_grpc.add_AuthServiceServicer_to_server(self, server)

        return ServiceRegistration("ses.enrollment.v1.AuthService", register)

    @override
    async def ActivateAccount(
        self, request: pb.ActivateAccountRequest, context: Context
    ) -> pb.ActivateAccountResponse:
        command = activation.ActivateAccount(
            activation_token=request.activation_token,
            password=request.password,
            totp_code=request.totp_code,
        )
        result = await asyncio.to_thread(activation.activate_account, self._deps, command)
        return pb.ActivateAccountResponse(
            user_id=result.user_id,
            email=result.email,
            otpauth_uri=result.otpauth_uri,
            totp_secret=result.totp_secret,
            activated=result.activated,
        )

    @override
    async def SignIn(self, request: pb.SignInRequest, context: Context) -> pb.SignInResponse:
        command = auth.SignIn(request.email, request.password, request.totp_code)
        signed_in = await asyncio.to_thread(auth.sign_in, self._deps, command)
        return pb.SignInResponse(
            tokens=m.token_pair_message(signed_in.tokens), user=m.user_message(signed_in.user)
        )

    @override
    async def RefreshToken(
        self, request: pb.RefreshTokenRequest, context: Context
    ) -> pb.RefreshTokenResponse:
        pair = await asyncio.to_thread(auth.refresh, self._deps, request.refresh_token)
        return pb.RefreshTokenResponse(tokens=m.token_pair_message(pair))

    @override
    async def SignOut(self, request: pb.SignOutRequest, context: Context) -> pb.SignOutResponse:
        actor = current_actor()
        await asyncio.to_thread(auth.sign_out, self._deps, actor, request.refresh_token)
        return pb.SignOutResponse()

    @override
    async def GetJwks(self, request: pb.GetJwksRequest, context: Context) -> pb.GetJwksResponse:
        document, issuer = auth.jwks(self._deps)
        return pb.GetJwksResponse(jwks_json=json.dumps(document, sort_keys=True), issuer=issuer)
