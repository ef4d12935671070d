from celery import shared_task

from accounts import services


@shared_task(bind=True, max_retries=None, acks_late=True)
def outbound_email_send(self, outbound_email_id: int) -> bool:
    try:
        return services.outbound_email_deliver(outbound_email_id=outbound_email_id)
    except services.DeliveryDeferred as deferred:
        raise self.retry(countdown=deferred.countdown) from deferred


@shared_task
def outbound_email_sweep() -> int:
    return services.outbound_email_sweep()
