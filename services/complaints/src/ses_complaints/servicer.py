"""The gRPC face of the complaints service: ``ses.complaints.v1.ComplaintsService``.

The RPCs live by side (``servicer_agency``, ``servicer_company``); this class joins
them and says how the host mounts it.
"""

from __future__ import annotations

from ses.complaints.v1 import complaints_pb2_grpc as pb_grpc
from ses_complaints.servicer_agency import AgencyRpcs
from ses_complaints.servicer_company import CompanyRpcs
from ses_core.platform.grpc import ServiceRegistration

SERVICE_NAME = "ses.complaints.v1.ComplaintsService"


class ComplaintsServicer(AgencyRpcs, CompanyRpcs):
    def registration(self) -> ServiceRegistration:
        return ServiceRegistration(
            SERVICE_NAME,
            lambda server: pb_grpc.add_ComplaintsServiceServicer_to_server(self, server),
        )


__all__ = ["SERVICE_NAME", "ComplaintsServicer"]
