"""HTTP endpoints for the caller's tasks. Thin: validation, auth, delegation."""

from typing import List

from fastapi import APIRouter, Depends, status

from app.auth import get_current_user
from app.dependencies import get_task_service
from app.models.task import TaskCreate, TaskResponse, TaskUpdate
from app.services.task_service import TaskService

router = APIRouter(prefix="/tasks", tags=["tasks"])


@router.get("", response_model=List[TaskResponse])
def list_tasks(
    user_id: str = Depends(get_current_user),
    service: TaskService = Depends(get_task_service),
) -> List[TaskResponse]:
    """Lists the caller's tasks, oldest first."""
    return [TaskResponse.from_task(task) for task in service.list_tasks(user_id)]


@router.post("", response_model=TaskResponse, status_code=status.HTTP_201_CREATED)
def create_task(
    body: TaskCreate,
    user_id: str = Depends(get_current_user),
    service: TaskService = Depends(get_task_service),
) -> TaskResponse:
    """Creates an open task owned by the caller."""
    return TaskResponse.from_task(service.create_task(user_id, body.title))


@router.patch("/{task_id}", response_model=TaskResponse)
def update_task(
    task_id: int,
    body: TaskUpdate,
    user_id: str = Depends(get_current_user),
    service: TaskService = Depends(get_task_service),
) -> TaskResponse:
    """Marks one of the caller's tasks done (or reopens it); 404 for anyone else's."""
    return TaskResponse.from_task(service.set_done(user_id, task_id, body.done))
